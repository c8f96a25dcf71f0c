package gateway

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	goruntime "runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// patternReader yields n bytes without holding them: 64 KiB blocks of a
// fixed pattern, each stamped with its index so that reordered or
// repeated blocks change the checksum.
type patternReader struct{ off, n int64 }

const patternBlock = 64 << 10

var patternBase = func() []byte {
	b := make([]byte, patternBlock)
	for i := range b {
		b[i] = byte(i*131 + i>>8)
	}
	return b
}()

func (p *patternReader) Read(b []byte) (int, error) {
	if p.off >= p.n {
		return 0, io.EOF
	}
	block, in := p.off/patternBlock, p.off%patternBlock
	chunk := make([]byte, 0, 8)
	chunk = binary.BigEndian.AppendUint64(chunk, uint64(block))
	m := copy(b, patternBase[in:])
	if rest := p.n - p.off; int64(m) > rest {
		m = int(rest)
	}
	for i := in; i < 8 && i-in < int64(m); i++ {
		b[i-in] = chunk[i]
	}
	p.off += int64(m)
	return m, nil
}

// TestCacheLargeObjectStreams fills a 1 GiB object into the disk tier
// while streaming it to the first viewer, then serves it from disk to the
// second, both checked by checksum, with the process's heap sampled all along:
// the object is never held in memory.
func TestCacheLargeObjectStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("1 GiB through the gateway twice")
	}
	const size = 1 << 30
	o := newCountingOrigin(t)
	o.handle("/big.bin", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=3600")
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", strconv.Itoa(size))
		io.Copy(w, &patternReader{n: size})
	})
	want := crc32.NewIEEE()
	io.Copy(want, &patternReader{n: size})
	wantSum := fmt.Sprintf("%x", want.Sum(nil))

	dir := t.TempDir()
	cfg := oneOriginConfig(o.URL, "cache: {memory: 16MiB, max_memory_object: 1MiB, disk: {path: "+dir+"/cache, size: 2GiB}}", "", "")
	s := startCacheGateway(t, cfg, newFakeClock())

	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		var ms goruntime.MemStats
		for {
			goruntime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	fetch := func() (string, string) {
		req, _ := http.NewRequest("GET", "http://"+s.Addr()+"/big.bin", nil)
		req.Host = "d.test"
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		h := crc32.NewIEEE()
		n, err := io.Copy(h, resp.Body)
		if err != nil || n != size {
			t.Fatalf("read %d bytes: %v", n, err)
		}
		return resp.Header.Get("X-Cache"), fmt.Sprintf("%x", h.Sum(nil))
	}
	xc1, sum1 := fetch()
	xc2, sum2 := fetch()
	close(stop)
	<-done
	if xc1 != "Miss from edgeward" || xc2 != "Hit from edgeward" {
		t.Errorf("X-Cache %q then %q, want Miss then Hit (from the disk tier)", xc1, xc2)
	}
	if sum1 != wantSum || sum2 != wantSum {
		t.Fatalf("bodies differ from the origin's: %s %s", sum1, sum2)
	}
	if o.count("/big.bin") != 1 {
		t.Errorf("origin requests %d, want 1", o.count("/big.bin"))
	}
	// Generous: the gateway, the origin and the client share this heap;
	// holding the object would need 1 GiB.
	if p := peak.Load(); p > 256<<20 {
		t.Fatalf("heap in use peaked at %d MiB while moving 1 GiB twice", p>>20)
	}
	t.Logf("1 GiB filled and served twice; heap in use peaked at %d MiB", peak.Load()>>20)
}
