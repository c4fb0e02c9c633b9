package shop

import (
	"net/netip"
	"strings"
)

// Webhook endpoints are URLs a manager types and the server then POSTs to:
// pointed at the server's own network (its loopback, the cloud's metadata
// service at 169.254.169.254, the database on 10.x) they would let a
// manager make the server call what only it can reach (SSRF). So an
// endpoint must reach public addresses only, unless the deployment says
// otherwise (a gateway on the LAN, the browser tests' local receiver).

// nonPublic are the ranges, beyond what netip's predicates name, that are
// not the public internet: "this network", carrier-grade NAT, IETF protocol
// assignments, benchmarking, the documentation ranges, the reserved class E
// and NAT64's well-known prefix (which reaches IPv4 behind a translator).
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("2001:db8::/32"),
}

// PrivateAddr reports whether ip is not a public internet address: loopback,
// link-local, private (10/8, 172.16/12, 192.168/16, fc00::/7), unspecified,
// multicast, shared or reserved. An IPv4 address written as IPv6
// (::ffff:127.0.0.1) counts as the IPv4 address it is; an invalid one counts
// as private.
func PrivateAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return true
	}
	for _, p := range nonPublic {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// CheckWebhookHost decides whether an endpoint on host, which resolved to
// addrs, may be registered: every address must be public (PrivateAddr),
// unless allowPrivate (the deployment's BAYBOARD_WEBHOOK_ALLOW_PRIVATE). A
// host written as an IP address is checked as that address; "localhost" and
// its subdomains are refused whatever they resolve to. A name that did not
// resolve (no addrs) is accepted: the sender checks the address it connects
// to at every delivery anyway, as a name may point elsewhere tomorrow.
// Errors: INVALID on field "url".
func CheckWebhookHost(host string, addrs []netip.Addr, allowPrivate bool) error {
	if allowPrivate {
		return nil
	}
	name := strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if ip, err := netip.ParseAddr(name); err == nil {
		addrs = append([]netip.Addr{ip}, addrs...)
	} else if name == "localhost" || strings.HasSuffix(name, ".localhost") {
		return FieldErrorf("url", "%s is this server itself: webhooks go to public internet addresses only.", host)
	}
	for _, ip := range addrs {
		if PrivateAddr(ip) {
			if ip.String() == name {
				return FieldErrorf("url", "%s is a private or local network address: webhooks go to public internet addresses only.", host)
			}
			return FieldErrorf("url", "%s points to %s, a private or local network address: webhooks go to public internet addresses only.", host, ip.Unmap())
		}
	}
	return nil
}
