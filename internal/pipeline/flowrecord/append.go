package flowrecord

import (
	"strconv"
	"unicode/utf8"
)

// AppendText appends the record in its format as AWS would write it: numbers
// in canonical decimal, addresses in canonical form, "-" for absent fields.
func (r *Record) AppendText(dst []byte) []byte {
	for i, id := range r.fields {
		if i > 0 {
			dst = append(dst, ' ')
		}
		if r.present&(1<<id) == 0 {
			dst = append(dst, '-')
			continue
		}
		switch id {
		case FieldAction:
			dst = append(dst, r.Action().String()...)
		case FieldLogStatus:
			dst = append(dst, r.LogStatus().String()...)
		default:
			switch table[id].Kind {
			case KindUint, KindTime:
				dst = strconv.AppendUint(dst, r.nums[id], 10)
			case KindAddr:
				dst = r.addrs[addrSlot[id]].AppendTo(dst)
			default:
				dst = append(dst, r.Raw(id)...)
			}
		}
	}
	return dst
}

// AppendJSON appends the record as a JSON object keyed by AWS field names, in
// format order. Numbers (including start and end, in Unix seconds) are JSON
// numbers; addresses, IDs and keywords are strings; absent fields are null,
// so every field of the format appears as a key.
func (r *Record) AppendJSON(dst []byte) []byte {
	dst = append(dst, '{')
	for i, id := range r.fields {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, '"')
		dst = append(dst, table[id].Name...)
		dst = append(dst, '"', ':')
		if r.present&(1<<id) == 0 {
			dst = append(dst, "null"...)
			continue
		}
		switch table[id].Kind {
		case KindUint, KindTime:
			dst = strconv.AppendUint(dst, r.nums[id], 10)
		case KindAddr:
			dst = append(dst, '"')
			dst = r.addrs[addrSlot[id]].AppendTo(dst)
			dst = append(dst, '"')
		default:
			dst = appendJSONString(dst, r.Raw(id))
		}
	}
	return append(dst, '}')
}

// appendJSONString appends s as a JSON string, replacing invalid UTF-8 with
// U+FFFD.
func appendJSONString(dst, s []byte) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < utf8.RuneSelf && c != '"' && c != '\\' {
			i++
			continue
		}
		dst = append(dst, s[start:i]...)
		if c < utf8.RuneSelf {
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				const hex = "0123456789abcdef"
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
		} else {
			r, size := utf8.DecodeRune(s[i:])
			if r == utf8.RuneError && size == 1 {
				dst = append(dst, "\ufffd"...)
			} else {
				dst = append(dst, s[i:i+size]...)
			}
			i += size
		}
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
