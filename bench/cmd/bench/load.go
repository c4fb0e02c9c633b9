package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// target is one GraphQL endpoint with its headers.
type target struct {
	url   string
	token string // bearer token, empty for none
}

// loadResult is the outcome of one closed-loop run.
type loadResult struct {
	Requests int
	Errors   int
	Seconds  float64
	RPS      float64
	P50, P99 time.Duration
	CPU      float64 // server CPU seconds during the run
	DBCPU    float64 // database backend CPU seconds during the run
	GenCPU   float64 // the load generator's (this process's) CPU seconds during the run
	FirstErr string
	Total    int // every request sent, warm-up included
}

func newClient(conns int) *http.Client {
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:        conns * 2,
		MaxIdleConnsPerHost: conns * 2,
		MaxConnsPerHost:     0,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}}
}

// post sends one GraphQL request and reports whether it succeeded.
func post(c *http.Client, t target, body []byte) (string, error) {
	req, err := http.NewRequest("POST", t.url, bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	if t.token != "" {
		req.Header.Set("Authorization", "Bearer "+t.token)
	}
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return "", err
	}
	if resp.StatusCode != 200 || bytes.Contains(b, []byte(`"errors"`)) || bytes.Contains(b, []byte(`"userErrors":[{`)) {
		if len(b) > 300 {
			b = b[:300]
		}
		return "", fmt.Errorf("%s: %s", resp.Status, b)
	}
	return string(b), nil
}

// closedLoop runs workers, each sending body(w, i) back to back for warm+dur,
// recording latencies of the requests that start after warm. pid is the
// server whose CPU time is measured (with its child processes); db the database backends.
func closedLoop(ctx context.Context, t target, workers int, warm, dur time.Duration, pid int, db *dbCPU,
	body func(worker, i int) []byte, progress func(done int)) loadResult {
	c := newClient(workers)
	defer c.CloseIdleConnections()
	var (
		measuring atomic.Bool
		stop      atomic.Bool
		wg        sync.WaitGroup
		mu        sync.Mutex
		all       []time.Duration
		errs      int
		firstErr  string
		count     atomic.Int64
		total     atomic.Int64
	)
	for w := range workers {
		wg.Go(func() {
			lat := make([]time.Duration, 0, 4096)
			var e int
			var fe string
			for i := 0; !stop.Load() && ctx.Err() == nil; i++ {
				m := measuring.Load()
				t0 := time.Now()
				_, err := post(c, t, body(w, i))
				d := time.Since(t0)
				total.Add(1)
				if !m || stop.Load() {
					continue
				}
				if err != nil {
					e++
					if fe == "" {
						fe = err.Error()
					}
					continue
				}
				lat = append(lat, d)
				count.Add(1)
			}
			mu.Lock()
			all = append(all, lat...)
			errs += e
			if firstErr == "" {
				firstErr = fe
			}
			mu.Unlock()
		})
	}
	time.Sleep(warm)
	cpu0, gen0 := treeCPU(pid), selfCPU()
	db.Begin()
	t0 := time.Now()
	measuring.Store(true)
	end := t0.Add(dur)
	for time.Now().Before(end) && ctx.Err() == nil {
		time.Sleep(250 * time.Millisecond)
		if progress != nil {
			progress(int(count.Load()))
		}
	}
	stop.Store(true)
	secs := time.Since(t0).Seconds()
	cpu, gen := treeCPU(pid)-cpu0, selfCPU()-gen0
	dbc := db.End()
	wg.Wait()
	r := loadResult{Requests: len(all), Errors: errs, Seconds: secs, CPU: cpu, DBCPU: dbc, GenCPU: gen, FirstErr: firstErr, Total: int(total.Load())}
	r.RPS = float64(len(all)) / secs
	r.P50, r.P99 = pct(all, 0.50), pct(all, 0.99)
	return r
}

// pct returns the q-quantile (nearest rank) of ds, sorting it.
func pct(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	if !slices.IsSorted(ds) {
		slices.Sort(ds)
	}
	i := int(q*float64(len(ds))+0.5) - 1
	i = max(0, min(i, len(ds)-1))
	return ds[i]
}
