package policy

import (
	"errors"
	"fmt"
	"io/fs"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Defaults and limits of the top-level cache block.
const (
	defaultCacheMemory     = 256 << 20
	minCacheMemory         = 1 << 20
	defaultMaxMemoryObject = 8 << 20
	minDiskSize            = 64 << 20
	defaultMaxDiskObject   = 50e9 // CloudFront's largest cacheable object
	maxTagHeaders          = 4
	defaultCollapseTimeout = 5 * time.Second
	maxCollapseTimeout     = 60 * time.Second
)

// defaultTagHeaders are the origin response headers read for cache tags
// when tag_headers is left out.
var defaultTagHeaders = []string{"Cache-Tag", "Surrogate-Key"}

// cache checks the top-level cache block and applies its defaults.
func (v *validator) cache(c *Cache) {
	switch {
	case !v.has("cache.memory") && c.Memory == 0:
		c.Memory = defaultCacheMemory
	case c.Memory == 0 && c.Disk == nil:
		v.errorf("cache.memory", "0 keeps nothing in memory, which needs a disk tier (cache.disk); set a size such as \"256MiB\" or add a disk tier")
	case c.Memory != 0 && c.Memory < minCacheMemory:
		v.errorf("cache.memory", "%s is too small: at least %s (or 0, with a disk tier)", c.Memory, ByteSize(minCacheMemory))
	}
	quarter := c.Memory / 4
	switch {
	case !v.has("cache.max_memory_object") && c.MaxMemoryObject == 0:
		c.MaxMemoryObject = min(defaultMaxMemoryObject, quarter)
	case c.Memory == 0 && c.MaxMemoryObject != 0:
		v.errorf("cache.max_memory_object", "%s, but memory is 0 (nothing is kept in memory); leave max_memory_object out", c.MaxMemoryObject)
	case c.MaxMemoryObject == 0 && c.Memory != 0:
		v.errorf("cache.max_memory_object", "must be positive (to keep nothing in memory, set memory to 0)")
	case c.MaxMemoryObject > quarter:
		v.errorf("cache.max_memory_object", "%s is more than a quarter of memory (%s); at most %s is allowed", c.MaxMemoryObject, c.Memory, quarter)
	}
	if c.Disk != nil {
		v.disk(c.Disk)
	}
	v.tagHeaders(c)
	switch {
	case !v.has("cache.collapse_timeout") && c.CollapseTimeout == 0:
		c.CollapseTimeout = Duration(defaultCollapseTimeout)
	case c.CollapseTimeout.Std() > maxCollapseTimeout:
		v.errorf("cache.collapse_timeout", "%s is out of range: must be between 0s (no collapsing) and %s", short(c.CollapseTimeout), short(Duration(maxCollapseTimeout)))
	}
}

// disk checks the disk tier: a directory (which may not exist yet, but
// whose parent must), its size and its largest object.
func (v *validator) disk(d *DiskCache) {
	const path = "cache.disk"
	if d.Path == "" {
		v.errorf(path+".path", "required: the directory the disk tier keeps its files in, such as /var/cache/edgeward")
	} else {
		d.Path = v.abs(d.Path)
		if msg := checkCacheDir(d.Path); msg != "" {
			v.errorf(path+".path", "%s", msg)
		}
	}
	sizeOK := false
	switch {
	case !v.has(path+".size") && d.Size == 0:
		v.errorf(path+".size", "required: the most the disk tier may hold, such as \"10GiB\" (at least %s)", ByteSize(minDiskSize))
	case d.Size < minDiskSize:
		v.errorf(path+".size", "%s is too small: the disk tier needs at least %s", d.Size, ByteSize(minDiskSize))
	default:
		sizeOK = true
	}
	switch {
	case !v.has(path+".max_object") && d.MaxObject == 0:
		d.MaxObject = defaultMaxDiskObject
		if sizeOK {
			d.MaxObject = min(d.MaxObject, d.Size)
		}
	case d.MaxObject == 0:
		v.errorf(path+".max_object", "must be positive")
	case sizeOK && d.MaxObject > d.Size:
		v.errorf(path+".max_object", "%s is more than the disk tier's size (%s)", d.MaxObject, d.Size)
	}
}

// checkCacheDir returns "" when dir is a directory, or does not exist but
// its parent directory does; else what is wrong. It only stats.
func checkCacheDir(dir string) string {
	st, err := os.Stat(dir)
	switch {
	case err == nil && st.IsDir():
		return ""
	case err == nil:
		return fmt.Sprintf("%s is not a directory", dir)
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Sprintf("cannot use %s: %v", dir, unwrapPath(err))
	}
	parent := filepath.Dir(dir)
	switch st, err := os.Stat(parent); {
	case err != nil:
		return fmt.Sprintf("%s does not exist, nor does its parent directory %s (the disk tier's directory is created at start, but its parent must exist)", dir, parent)
	case !st.IsDir():
		return fmt.Sprintf("%s is not a directory, so %s cannot be created in it", parent, dir)
	}
	return ""
}

// tagHeaders checks the origin response headers that carry cache tags and
// stores them in canonical form; [] turns cache tags off.
func (v *validator) tagHeaders(c *Cache) {
	const path = "cache.tag_headers"
	if !v.has(path) && c.TagHeaders == nil {
		c.TagHeaders = append([]string(nil), defaultTagHeaders...)
		return
	}
	if len(c.TagHeaders) > maxTagHeaders {
		v.errorf(path, "%d headers; at most %d are allowed", len(c.TagHeaders), maxTagHeaders)
	}
	seen := seenAt{}
	for i, name := range c.TagHeaders {
		hp := fmt.Sprintf("%s[%d]", path, i)
		switch {
		case name == "":
			v.errorf(hp, "a header name must not be empty")
		case !isToken(name):
			v.errorf(hp, "%q is not a valid header name", name)
		case hopByHop[strings.ToLower(name)]:
			v.errorf(hp, "%s is a hop-by-hop header; it never reaches the cache", name)
		default:
			c.TagHeaders[i] = textproto.CanonicalMIMEHeaderKey(name)
			if prev, dup := seen.first(c.TagHeaders[i], hp); dup {
				v.errorf(hp, "%s is the same header as %s%s; header names are case-insensitive", name, prev, v.ref(prev, hp))
			}
		}
	}
}
