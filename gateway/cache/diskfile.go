package cache

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
)

// The disk file format. One file holds one object:
//
//	offset  size  field
//	0       4     magic "EWCO"
//	4       2     format version (1)
//	6       2     reserved, zero
//	8       4     metaCap: length of the metadata region
//	12      4     metaLen: length of the JSON in the region (the rest is zero)
//	16      8     bodyLen: length of the body
//	24      4     bodyCRC: CRC32C (Castagnoli) of the body
//	28      4     hdrCRC: CRC32C of bytes 0..27 and of the metadata region
//	32      ...   metadata region: JSON of fileRecord, zero padding
//	32+metaCap    the body
//
// All integers are little-endian. The region has room to spare so that
// UpdateMeta can usually rewrite the header in place; the header CRC
// catches a rewrite torn by a crash. A file whose size is not
// 32+metaCap+bodyLen is truncated or torn and is discarded.

const (
	fileMagic   = "EWCO"
	fileVersion = 1
	fixedLen    = 32
	// maxMetaCap bounds the metadata region a reader accepts.
	maxMetaCap = 1 << 20
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// fileRecord is the JSON in the metadata region.
type fileRecord struct {
	Key  string `json:"key"`
	Meta *Meta  `json:"meta"`
	// Escaped is set when every string of Key and Meta is escaped, because
	// one of them is not UTF-8 (see escape.go).
	Escaped bool `json:"esc,omitempty"`
}

// header is the decoded fixed header.
type header struct {
	metaCap uint32
	metaLen uint32
	bodyLen int64
	bodyCRC uint32
}

func (h *header) bodyOff() int64  { return fixedLen + int64(h.metaCap) }
func (h *header) fileSize() int64 { return h.bodyOff() + h.bodyLen }

var errBadHeader = errors.New("cache: bad file header")

// metaCapFor returns the region size for JSON of n bytes: room for the
// JSON to grow by a quarter (at least 256 bytes), rounded up to 512.
func metaCapFor(n int) uint32 {
	c := n + max(256, n/4)
	return uint32((c + 511) &^ 511)
}

// encodeHeader returns the fixed header and metadata region for key and
// meta (whose Size must be the body's length). metaCap 0 picks a fresh
// size; otherwise the JSON must fit in metaCap bytes.
func encodeHeader(key string, meta *Meta, bodyCRC uint32, metaCap uint32) ([]byte, error) {
	rec := fileRecord{Key: key, Meta: meta}
	if needsEscape(key, meta) {
		rec.Key, rec.Meta = mapStrings(key, meta, escapeString)
		rec.Escaped = true
	}
	js, err := json.Marshal(rec)
	if err != nil {
		return nil, fmt.Errorf("cache: encode metadata: %w", err)
	}
	if metaCap == 0 {
		metaCap = metaCapFor(len(js))
	}
	if len(js) > int(metaCap) || metaCap > maxMetaCap {
		return nil, errMetaTooLarge
	}
	b := make([]byte, fixedLen+int(metaCap))
	copy(b, fileMagic)
	binary.LittleEndian.PutUint16(b[4:], fileVersion)
	binary.LittleEndian.PutUint32(b[8:], metaCap)
	binary.LittleEndian.PutUint32(b[12:], uint32(len(js)))
	binary.LittleEndian.PutUint64(b[16:], uint64(meta.Size))
	binary.LittleEndian.PutUint32(b[24:], bodyCRC)
	copy(b[fixedLen:], js)
	binary.LittleEndian.PutUint32(b[28:], headerCRC(b))
	return b, nil
}

var errMetaTooLarge = errors.New("cache: metadata too large for the header")

func crcOf(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }

func headerCRC(b []byte) uint32 {
	c := crc32.Update(0, castagnoli, b[:28])
	return crc32.Update(c, castagnoli, b[fixedLen:])
}

// decodeFixed checks the fixed part of a header (the first fixedLen
// bytes) and returns it. The header CRC is checked by decodeHeader, once
// the region has been read.
func decodeFixed(b []byte) (header, error) {
	var h header
	if len(b) < fixedLen || string(b[:4]) != fileMagic {
		return h, errBadHeader
	}
	if v := binary.LittleEndian.Uint16(b[4:]); v != fileVersion {
		return h, fmt.Errorf("%w: version %d", errBadHeader, v)
	}
	if binary.LittleEndian.Uint16(b[6:]) != 0 {
		return h, errBadHeader
	}
	h.metaCap = binary.LittleEndian.Uint32(b[8:])
	h.metaLen = binary.LittleEndian.Uint32(b[12:])
	bl := binary.LittleEndian.Uint64(b[16:])
	h.bodyCRC = binary.LittleEndian.Uint32(b[24:])
	if h.metaCap > maxMetaCap || h.metaLen > h.metaCap || bl > 1<<62 {
		return h, errBadHeader
	}
	h.bodyLen = int64(bl)
	return h, nil
}

// decodeHeader checks a whole header (fixed part and metadata region,
// exactly fixedLen+metaCap bytes) and returns it with its record. With
// full false only the record's key and the fields invalidation needs are
// decoded.
func decodeHeader(b []byte, full bool) (header, fileRecord, error) {
	var rec fileRecord
	h, err := decodeFixed(b)
	if err != nil {
		return h, rec, err
	}
	if int64(len(b)) != h.bodyOff() {
		return h, rec, errBadHeader
	}
	if headerCRC(b) != binary.LittleEndian.Uint32(b[28:]) {
		return h, rec, fmt.Errorf("%w: checksum mismatch", errBadHeader)
	}
	js := b[fixedLen : fixedLen+h.metaLen]
	if full {
		err = json.Unmarshal(js, &rec)
	} else {
		var lite struct {
			Key     string `json:"key"`
			Escaped bool   `json:"esc"`
			Meta    struct {
				Dist  string   `json:"dist"`
				Path  string   `json:"path"`
				Query string   `json:"query"`
				Tags  []string `json:"tags"`
			} `json:"meta"`
		}
		err = json.Unmarshal(js, &lite)
		rec.Key, rec.Escaped = lite.Key, lite.Escaped
		rec.Meta = &Meta{Dist: lite.Meta.Dist, Path: lite.Meta.Path, Query: lite.Meta.Query, Tags: lite.Meta.Tags}
	}
	if err != nil {
		return h, rec, fmt.Errorf("%w: %w", errBadHeader, err)
	}
	if rec.Escaped && rec.Meta != nil {
		failed := false
		rec.Key, rec.Meta = mapStrings(rec.Key, rec.Meta, func(s string) string { return unescapeString(s, &failed) })
		rec.Escaped = false
		if failed {
			return h, rec, fmt.Errorf("%w: malformed escape", errBadHeader)
		}
	}
	if rec.Meta == nil || rec.Key == "" {
		return h, rec, fmt.Errorf("%w: no key or metadata", errBadHeader)
	}
	rec.Meta.Size = h.bodyLen
	return h, rec, nil
}
