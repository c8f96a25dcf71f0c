package httpcache

import (
	"bytes"
	"errors"
	"fmt"
	"sync"

	"github.com/andybalholm/brotli"
	"github.com/andybalholm/brotli/matchfinder"
	"github.com/klauspost/compress/gzip"
)

// Compression levels. Compression runs once per stored object (the result
// is cached), but on the fill path, so a level must keep a 10 MB body well
// under a second while compressing nearly as well as the slow levels.
// Measured on 100 KiB of HTML-like text (BenchmarkCompress, one core of a
// shared, loaded Xeon server, so the figures are lower bounds):
//
//   - Brotli: andybalholm/brotli's matchfinder encoder (NewWriterV2) at
//     level 4 does 45-58 MB/s at a 0.22 ratio; its level 6 gains under 1%
//     of size at half the speed, and the classic encoder needs quality 6
//     (about 21 MB/s) for the same ratio.
//   - gzip: klauspost/compress level 6 (the usual default) does 85-140 MB/s
//     at a 0.24 ratio; level 9 is ten times slower for 0.22.
const (
	brotliLevel = 4
	gzipLevel   = 6
)

// ErrUnknownEncoding is returned by Compress for an encoding other than
// "br" and "gzip".
var ErrUnknownEncoding = errors.New("httpcache: unknown content encoding")

// Compress returns body encoded with enc ("br" or "gzip", as ChooseEncoding
// returns them). The result is a new slice of exactly the compressed size;
// body is not retained. Writers and buffers are pooled, so concurrent
// callers reuse each other's encoder state.
func Compress(enc string, body []byte) ([]byte, error) {
	buf := bufPool.Get().(*bytes.Buffer)
	defer putBuf(buf)
	buf.Reset()
	switch enc {
	case "br":
		w := brPool.Get().(*matchfinder.Writer)
		defer brPool.Put(w)
		w.Reset(buf)
		// The encoder copies what it is given into its input buffer;
		// writing in blocks keeps that buffer (which the pool keeps) at
		// one block.
		for rest := body; len(rest) > 0; {
			n := min(len(rest), brotliBlock)
			if _, err := w.Write(rest[:n]); err != nil {
				return nil, fmt.Errorf("httpcache: brotli: %w", err)
			}
			rest = rest[n:]
		}
		if err := w.Close(); err != nil {
			return nil, fmt.Errorf("httpcache: brotli: %w", err)
		}
	case "gzip":
		w := gzipPool.Get().(*gzip.Writer)
		defer gzipPool.Put(w)
		w.Reset(buf)
		if _, err := w.Write(body); err != nil {
			return nil, fmt.Errorf("httpcache: gzip: %w", err)
		}
		if err := w.Close(); err != nil {
			return nil, fmt.Errorf("httpcache: gzip: %w", err)
		}
	default:
		return nil, fmt.Errorf("%w: %q", ErrUnknownEncoding, enc)
	}
	return bytes.Clone(buf.Bytes()), nil
}

var (
	brPool = sync.Pool{New: func() any {
		w := brotli.NewWriterV2(nil, brotliLevel)
		w.BlockSize = brotliBlock
		return w
	}}
	gzipPool = sync.Pool{New: func() any {
		w, err := gzip.NewWriterLevel(nil, gzipLevel)
		if err != nil {
			panic(err) // gzipLevel is a valid constant
		}
		return w
	}}
	bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}
)

// brotliBlock is the Brotli encoder's block size (NewWriterV2's).
const brotliBlock = 64 << 10

// maxPooledBuf bounds the buffers kept for reuse, so one large body does
// not pin its buffer's memory.
const maxPooledBuf = 1 << 20

func putBuf(b *bytes.Buffer) {
	if b.Cap() <= maxPooledBuf {
		bufPool.Put(b)
	}
}
