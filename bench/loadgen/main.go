// Command loadgen drives HTTP load at a GraphQL endpoint for the Market Entity Graph benchmark.
//
// It is not a Node process, so it can be pinned to another core than the gateway it measures.
// Two modes: closed loop (-concurrency N: N workers send back to back, for the maximum rate)
// and open loop (-rate R: requests start on a fixed schedule, latency measured from the
// scheduled start so a slow server cannot hide its queueing). Every request can carry its own
// token (-tokens: one per line, used in turn) so nothing can be cached across callers, and the
// body file may hold one JSON body per line, used in turn, so that concurrent requests ask for
// different enterprises (a gateway that merges identical in-flight subgraph fetches cannot then
// answer fifty callers with one fetch). When the gateway answers with a Server-Timing header
// naming `subgraphs;dur=…`, the loadgen also reports the gateway's own time per request: the
// end-to-end latency less the time the gateway spent waiting on its subgraphs (and, from
// `audit;dur=…`, how much of it went to the durable audit write). An answer counts as served only
// with HTTP 200 and no GraphQL error but the policy's refusal of a field (FORBIDDEN_FIELD).
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type result struct {
	Requests    int64   `json:"requests"`
	OK          int64   `json:"ok"`
	Failed      int64   `json:"failed"`
	DurationSec float64 `json:"durationSec"`
	RPS         float64 `json:"rps"`
	P50Ms       float64 `json:"p50Ms"`
	P95Ms       float64 `json:"p95Ms"`
	P99Ms       float64 `json:"p99Ms"`
	MeanMs      float64 `json:"meanMs"`
	MaxMs       float64 `json:"maxMs"`
	// From Server-Timing, when the server sends it: end to end less the subgraph wait.
	OwnP50Ms   *float64 `json:"ownP50Ms,omitempty"`
	OwnP95Ms   *float64 `json:"ownP95Ms,omitempty"`
	OwnSamples int      `json:"ownSamples,omitempty"`
	AuditP50Ms *float64 `json:"auditP50Ms,omitempty"`
	// From Server-Timing's `gateway;dur=…` (receipt to answer, as the gateway times it) less the
	// subgraph wait: the own time without the network and this client's scheduling.
	InsideP50Ms *float64 `json:"insideP50Ms,omitempty"`
	FirstError  string   `json:"firstError,omitempty"`
}

func main() {
	url := flag.String("url", "", "GraphQL endpoint")
	bodyFile := flag.String("body", "", "file with the JSON request body, or one body per line (used in turn)")
	tokensFile := flag.String("tokens", "", "file of bearer tokens, one per line (optional)")
	purpose := flag.String("purpose", "", "x-purpose header (optional)")
	duration := flag.Duration("duration", 10*time.Second, "how long to send")
	concurrency := flag.Int("concurrency", 0, "closed loop: number of workers")
	rate := flag.Float64("rate", 0, "open loop: requests per second")
	timeout := flag.Duration("timeout", 10*time.Second, "per-request timeout")
	flag.Parse()
	if *url == "" || *bodyFile == "" || (*concurrency <= 0) == (*rate <= 0) {
		fmt.Fprintln(os.Stderr, "usage: loadgen -url URL -body FILE [-tokens FILE] [-purpose P] -duration D (-concurrency N | -rate R)")
		os.Exit(2)
	}
	raw, err := os.ReadFile(*bodyFile)
	check(err)
	var bodies [][]byte
	for _, line := range bytes.Split(raw, []byte("\n")) {
		if len(bytes.TrimSpace(line)) > 0 {
			bodies = append(bodies, line)
		}
	}
	if len(bodies) == 0 {
		fmt.Fprintln(os.Stderr, "loadgen: the body file is empty")
		os.Exit(2)
	}
	var tokens []string
	if *tokensFile != "" {
		f, err := os.Open(*tokensFile)
		check(err)
		scanner := bufio.NewScanner(f)
		scanner.Buffer(make([]byte, 64*1024), 64*1024)
		for scanner.Scan() {
			if t := strings.TrimSpace(scanner.Text()); t != "" {
				tokens = append(tokens, t)
			}
		}
		f.Close()
	}
	conns := *concurrency
	if conns == 0 {
		conns = 256
	}
	client := &http.Client{
		Timeout:   *timeout,
		Transport: &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, IdleConnTimeout: 90 * time.Second},
	}
	var next, nextBody int64
	var ok, failed int64
	var firstErr atomic.Value
	var mu sync.Mutex
	latencies := make([]time.Duration, 0, 1<<16)
	owns := make([]time.Duration, 0, 1<<16)
	audits := make([]time.Duration, 0, 1<<16)
	insides := make([]time.Duration, 0, 1<<16)

	send := func(scheduled time.Time) {
		b := bodies[int(atomic.AddInt64(&nextBody, 1)-1)%len(bodies)]
		req, _ := http.NewRequest("POST", *url, bytes.NewReader(b))
		req.Header.Set("content-type", "application/json")
		if len(tokens) > 0 {
			i := atomic.AddInt64(&next, 1) - 1
			req.Header.Set("authorization", "Bearer "+tokens[int(i)%len(tokens)])
		}
		if *purpose != "" {
			req.Header.Set("x-purpose", *purpose)
		}
		res, err := client.Do(req)
		elapsed := time.Since(scheduled)
		var body []byte
		if err == nil {
			body, err = io.ReadAll(res.Body)
			res.Body.Close()
		}
		code := ""
		if err == nil && res.StatusCode == 200 {
			code = unexpectedErrorCode(body)
		}
		if err != nil || res.StatusCode != 200 || code != "" {
			atomic.AddInt64(&failed, 1)
			if err != nil {
				firstErr.CompareAndSwap(nil, err.Error())
			} else if code != "" {
				firstErr.CompareAndSwap(nil, "error "+code)
			} else {
				firstErr.CompareAndSwap(nil, fmt.Sprintf("HTTP %d", res.StatusCode))
			}
			return
		}
		atomic.AddInt64(&ok, 1)
		timing := res.Header.Get("server-timing")
		wait, timed := serverTiming(timing, "subgraphs")
		audit, audited := serverTiming(timing, "audit")
		inGateway, gatewayTimed := serverTiming(timing, "gateway")
		mu.Lock()
		latencies = append(latencies, elapsed)
		if timed {
			owns = append(owns, elapsed-wait)
		}
		if audited {
			audits = append(audits, audit)
		}
		if timed && gatewayTimed {
			insides = append(insides, inGateway-wait)
		}
		mu.Unlock()
	}

	start := time.Now()
	end := start.Add(*duration)
	var wg sync.WaitGroup
	if *concurrency > 0 {
		for w := 0; w < *concurrency; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for time.Now().Before(end) {
					send(time.Now())
				}
			}()
		}
	} else {
		interval := time.Duration(float64(time.Second) / *rate)
		inFlight := make(chan struct{}, 20000)
		for i := 0; ; i++ {
			scheduled := start.Add(time.Duration(i) * interval)
			if !scheduled.Before(end) {
				break
			}
			if d := time.Until(scheduled); d > 0 {
				time.Sleep(d)
			}
			inFlight <- struct{}{}
			wg.Add(1)
			go func(at time.Time) {
				defer wg.Done()
				send(at)
				<-inFlight
			}(scheduled)
		}
	}
	wg.Wait()
	took := time.Since(start).Seconds()

	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	sort.Slice(owns, func(i, j int) bool { return owns[i] < owns[j] })
	sort.Slice(audits, func(i, j int) bool { return audits[i] < audits[j] })
	sort.Slice(insides, func(i, j int) bool { return insides[i] < insides[j] })
	pctOf := func(values []time.Duration, p float64) float64 {
		if len(values) == 0 {
			return 0
		}
		i := int(p * float64(len(values)-1))
		return float64(values[i].Microseconds()) / 1000
	}
	pct := func(p float64) float64 { return pctOf(latencies, p) }
	var sum time.Duration
	for _, l := range latencies {
		sum += l
	}
	r := result{Requests: ok + failed, OK: ok, Failed: failed, DurationSec: took, RPS: float64(ok) / took,
		P50Ms: pct(0.50), P95Ms: pct(0.95), P99Ms: pct(0.99)}
	if len(latencies) > 0 {
		r.MeanMs = float64(sum.Microseconds()) / 1000 / float64(len(latencies))
		r.MaxMs = float64(latencies[len(latencies)-1].Microseconds()) / 1000
	}
	if len(owns) > 0 {
		p50, p95 := pctOf(owns, 0.50), pctOf(owns, 0.95)
		r.OwnP50Ms, r.OwnP95Ms, r.OwnSamples = &p50, &p95, len(owns)
	}
	if len(insides) > 0 {
		p50 := pctOf(insides, 0.50)
		r.InsideP50Ms = &p50
	}
	if len(audits) > 0 {
		p50 := pctOf(audits, 0.50)
		r.AuditP50Ms = &p50
	}
	if e, isString := firstErr.Load().(string); isString {
		r.FirstError = e
	}
	out, _ := json.Marshal(r)
	fmt.Println(string(out))
}

// unexpectedErrorCode is the first GraphQL error code in an answer other than the policy's own
// refusal of a field (FORBIDDEN_FIELD), or "". An answer whose agency failed or refused the gateway
// comes back fast with HTTP 200; it must not be counted as served.
func unexpectedErrorCode(body []byte) string {
	marker := []byte(`"code":"`)
	for rest := body; ; {
		i := bytes.Index(rest, marker)
		if i < 0 {
			return ""
		}
		rest = rest[i+len(marker):]
		end := bytes.IndexByte(rest, '"')
		if end < 0 {
			return ""
		}
		if code := string(rest[:end]); code != "FORBIDDEN_FIELD" {
			return code
		}
		rest = rest[end:]
	}
}

// serverTiming reads `<name>;dur=<ms>` from a Server-Timing header.
func serverTiming(header string, name string) (time.Duration, bool) {
	for _, metric := range strings.Split(header, ",") {
		parts := strings.Split(strings.TrimSpace(metric), ";")
		if parts[0] != name {
			continue
		}
		for _, param := range parts[1:] {
			if v, found := strings.CutPrefix(strings.TrimSpace(param), "dur="); found {
				if ms, err := strconv.ParseFloat(v, 64); err == nil && ms >= 0 {
					return time.Duration(ms * float64(time.Millisecond)), true
				}
			}
		}
	}
	return 0, false
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
