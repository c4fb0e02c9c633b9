package main

import (
	"encoding/base64"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

func nodeID(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestPeerAnswerDiff(t *testing.T) {
	v4 := `{"data":{"node":{"nodeId":"` + nodeID(`["repair_orders",10000]`) + `","number":"RO1","promisedAt":"2023-06-20T05:00:00+00:00","version":1}}}`
	cases := []struct {
		name, a, b string
		want       string // "" for equal, else a part of the difference
	}{
		{"OK", v4, v4, ""},
		{"OK", v4, `{"data":{"node":{"nodeId":"` + nodeID(`["repair_orders","10000"]`) + `","number":"RO1","promisedAt":"2023-06-20T05:00:00.000000+00:00","version":1}}}`, ""},
		{"OK", `{"data":{"t":"2023-06-20T07:00:00+02:00"}}`, `{"data":{"t":"2023-06-20T05:00:00.000000+00:00"}}`, ""},
		{"ErrOtherRecord", v4, `{"data":{"node":{"nodeId":"` + nodeID(`["repair_orders","10001"]`) + `","number":"RO1","promisedAt":"2023-06-20T05:00:00+00:00","version":1}}}`, ".data.node.nodeId"},
		{"ErrOtherInstant", v4, `{"data":{"node":{"nodeId":"` + nodeID(`["repair_orders",10000]`) + `","number":"RO1","promisedAt":"2023-06-20T05:00:00.000001+00:00","version":1}}}`, ".data.node.promisedAt"},
		{"ErrOtherValue", v4, `{"data":{"node":{"nodeId":"` + nodeID(`["repair_orders",10000]`) + `","number":"RO1","promisedAt":"2023-06-20T05:00:00+00:00","version":2}}}`, ".data.node.version"},
		{"ErrMissingField", v4, `{"data":{"node":{"nodeId":"` + nodeID(`["repair_orders",10000]`) + `","number":"RO1","version":1}}}`, ".data.node.promisedAt"},
		{"ErrFewerItems", `{"data":{"l":[1,2]}}`, `{"data":{"l":[1]}}`, ".data.l: 2 items vs 1"},
		{"ErrOtherOrder", `{"data":{"l":["a","b"]}}`, `{"data":{"l":["b","a"]}}`, ".data.l[0]"},
		{"ErrNotJSON", v4, `<html>`, "not JSON"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := peerAnswerDiff(c.a, c.b)
			if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
				t.Fatalf("diff=%q, want %q", got, c.want)
			}
		})
	}
}

func TestQueryRowBest(t *testing.T) {
	cases := []struct {
		name string
		rps  []float64
		want int
	}{
		{"OK", []float64{10}, 0},
		{"OK", []float64{10, 30}, 1},
		{"OK", []float64{30, 10}, 0},
		{"OK", []float64{20, 20}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var q queryRow
			for _, r := range c.rps {
				q.Peers = append(q.Peers, loadResult{RPS: r})
			}
			if got := q.best(); got != c.want {
				t.Fatalf("best=%d, want %d", got, c.want)
			}
		})
	}
}

func TestDescendants(t *testing.T) {
	self := os.Getpid()
	if got := descendants(self); len(got) != 1 || got[0] != self {
		t.Fatalf("descendants=%v, want [%d]", got, self)
	}
	// A child with a child of its own (a primary and its worker).
	cmd := exec.Command("sh", "-c", "sleep 60 & wait")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); _ = cmd.Wait() }()
	var got []int
	for range 2000 { // until sh has forked sleep
		if got = descendants(self); len(got) == 3 {
			break
		}
	}
	if len(got) != 3 || got[0] != self || got[1] != cmd.Process.Pid {
		t.Fatalf("descendants=%v, want [%d %d <sleep>]", got, self, cmd.Process.Pid)
	}
	own := cpuSeconds(self)
	if c := treeCPU(self); c < own {
		t.Fatalf("treeCPU=%v, want at least the process's own %v", c, own)
	}
}
