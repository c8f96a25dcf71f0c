package accesslog

import (
	"path/filepath"
	"testing"
)

// benchLog measures Log as the gateway calls it, with a real file and the
// flusher running. The entry is the ordinary hit of the golden file.
func benchLog(b *testing.B, format string) {
	l, err := Open(filepath.Join(b.TempDir(), "access.log"), format)
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	e := goldenEntries()[0]
	b.SetBytes(int64(len(l.encode(nil, e))))
	b.ReportAllocs()
	for b.Loop() {
		l.Log(e)
	}
}

func BenchmarkLogCloudFront(b *testing.B) { benchLog(b, FormatCloudFront) }
func BenchmarkLogJSON(b *testing.B)       { benchLog(b, FormatJSON) }

// BenchmarkLogParallel measures Log from many goroutines at once (the
// mutex shared by all requests).
func BenchmarkLogParallel(b *testing.B) {
	l, err := Open(filepath.Join(b.TempDir(), "access.log"), FormatCloudFront)
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	e := goldenEntries()[0]
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			l.Log(e)
		}
	})
}

// BenchmarkLogHostile measures the worst case of escaping: the hostile
// entry of the golden file, most of whose bytes are escaped.
func BenchmarkLogHostile(b *testing.B) {
	l, err := Open(filepath.Join(b.TempDir(), "access.log"), FormatCloudFront)
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	e := goldenEntries()[1]
	b.ReportAllocs()
	for b.Loop() {
		l.Log(e)
	}
}

// BenchmarkEncode measures formatting alone, without the Logger.
func BenchmarkEncode(b *testing.B) {
	for _, bc := range []struct {
		name  string
		enc   func([]byte, *Entry) []byte
		entry int
	}{
		{"CloudFront", appendCloudFront, 0},
		{"JSON", appendJSON, 0},
		{"CloudFrontHostile", appendCloudFront, 1},
		{"JSONHostile", appendJSON, 1},
	} {
		b.Run(bc.name, func(b *testing.B) {
			e := goldenEntries()[bc.entry]
			buf := bc.enc(nil, e)
			b.SetBytes(int64(len(buf)))
			b.ReportAllocs()
			for b.Loop() {
				buf = bc.enc(buf[:0], e)
			}
		})
	}
}
