package shop_test

import (
	"errors"
	"net/netip"
	"testing"

	"bayboard/shop"
)

func TestPrivateAddr(t *testing.T) {
	for _, tc := range []struct {
		ip   string
		want bool
	}{
		{"127.0.0.1", true}, {"127.8.9.10", true}, {"::1", true}, {"::ffff:127.0.0.1", true},
		{"10.1.2.3", true}, {"172.16.0.1", true}, {"172.31.255.255", true}, {"192.168.1.20", true},
		{"169.254.169.254", true}, {"fe80::1", true}, {"fd00::5", true}, {"0.0.0.0", true}, {"::", true},
		{"100.64.0.1", true}, {"224.0.0.251", true}, {"ff02::1", true}, {"240.0.0.1", true},
		{"64:ff9b::7f00:1", true}, {"::ffff:10.0.0.1", true}, {"198.18.0.1", true},
		{"93.184.215.14", false}, {"172.32.0.1", false}, {"8.8.8.8", false}, {"2606:4700::1111", false},
		{"::ffff:8.8.8.8", false}, {"100.128.0.1", false},
	} {
		if got := shop.PrivateAddr(netip.MustParseAddr(tc.ip)); got != tc.want {
			t.Fatalf("PrivateAddr(%s)=%v, want %v", tc.ip, got, tc.want)
		}
	}
	if !shop.PrivateAddr(netip.Addr{}) {
		t.Fatalf("PrivateAddr(invalid)=false, want true")
	}
}

func TestCheckWebhookHost(t *testing.T) {
	addrs := func(s ...string) []netip.Addr {
		out := make([]netip.Addr, len(s))
		for i, x := range s {
			out[i] = netip.MustParseAddr(x)
		}
		return out
	}
	for _, tc := range []struct {
		name     string
		host     string
		addrs    []netip.Addr
		allow    bool
		wantCode string
	}{
		{name: "OK", host: "sms.example.com", addrs: addrs("93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c")},
		{name: "OKPublicLiteral", host: "8.8.8.8"},
		{name: "OKUnresolved", host: "gateway.example.com"},
		{name: "OKAllowedLoopback", host: "127.0.0.1", allow: true},
		{name: "OKAllowedLocalhost", host: "localhost", addrs: addrs("127.0.0.1"), allow: true},
		{name: "OKAllowedPrivateName", host: "sms.lan", addrs: addrs("192.168.1.5"), allow: true},
		{name: "ErrInvalidLoopback", host: "127.0.0.1", wantCode: shop.EINVALID},
		{name: "ErrInvalidLoopbackV6", host: "[::1]", wantCode: shop.EINVALID},
		{name: "ErrInvalidMappedLoopback", host: "::ffff:127.0.0.1", wantCode: shop.EINVALID},
		{name: "ErrInvalidLocalhost", host: "localhost", wantCode: shop.EINVALID},
		{name: "ErrInvalidLocalhostSubdomain", host: "api.LOCALHOST.", wantCode: shop.EINVALID},
		{name: "ErrInvalidMetadata", host: "169.254.169.254", wantCode: shop.EINVALID},
		{name: "ErrInvalidPrivateLiteral", host: "10.0.0.5", wantCode: shop.EINVALID},
		{name: "ErrInvalidResolvesPrivate", host: "sms.example.com", addrs: addrs("192.168.0.10"), wantCode: shop.EINVALID},
		{name: "ErrInvalidOnePrivateOfMany", host: "sms.example.com", addrs: addrs("93.184.215.14", "fd12::1"), wantCode: shop.EINVALID},
		{name: "ErrInvalidResolvesLinkLocal", host: "rebind.example.com", addrs: addrs("169.254.169.254"), wantCode: shop.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := shop.CheckWebhookHost(tc.host, tc.addrs, tc.allow)
			if got := shop.ErrorCode(err); got != tc.wantCode {
				t.Fatalf("code=%q, want %q (err %v)", got, tc.wantCode, err)
			}
			var se *shop.Error
			if err != nil && (!errors.As(err, &se) || se.Field != "url" || se.Message == "") {
				t.Fatalf("error=%#v, want INVALID on field url with a sentence", err)
			}
		})
	}
}
