package jsrt

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/dop251/goja"
)

// parseJSONBytes is JSON.parse for response.json(): the same values, built directly from the bytes.
// goja's JSON.parse goes through encoding/json's token stream, which allocated most of a suite
// iteration's garbage; this parser makes only the values themselves. Whatever it does not accept
// (a syntax error, invalid UTF-8, very deep nesting) goes to goja's JSON.parse, so errors and edge
// cases stay exactly as before.
func (v *VU) parseJSONBytes(data []byte) (goja.Value, error) {
	if utf8.Valid(data) {
		p := jsonParser{rt: v.rt, data: data}
		p.skipSpace()
		if value, ok := p.value(0); ok {
			p.skipSpace()
			if p.pos == len(p.data) {
				return value, nil
			}
		}
	}
	value, err := v.jsonParse(goja.Undefined(), v.rt.ToValue(string(data)))
	if err != nil {
		return nil, err
	}
	return value, nil
}

const jsonMaxDepth = 1000

type jsonParser struct {
	rt   *goja.Runtime
	data []byte
	pos  int
}

func (p *jsonParser) skipSpace() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *jsonParser) value(depth int) (goja.Value, bool) {
	if p.pos >= len(p.data) || depth > jsonMaxDepth {
		return nil, false
	}
	switch c := p.data[p.pos]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"':
		text, ok := p.string()
		if !ok {
			return nil, false
		}
		return p.rt.ToValue(text), true
	case c == 't':
		return p.literal("true", goja.Value(p.rt.ToValue(true)))
	case c == 'f':
		return p.literal("false", goja.Value(p.rt.ToValue(false)))
	case c == 'n':
		return p.literal("null", goja.Null())
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	}
	return nil, false
}

func (p *jsonParser) literal(word string, value goja.Value) (goja.Value, bool) {
	if len(p.data)-p.pos < len(word) || string(p.data[p.pos:p.pos+len(word)]) != word {
		return nil, false
	}
	p.pos += len(word)
	return value, true
}

// number accepts JSON's grammar only: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (p *jsonParser) number() (goja.Value, bool) {
	start := p.pos
	digits := func() int {
		from := p.pos
		for p.pos < len(p.data) && p.data[p.pos] >= '0' && p.data[p.pos] <= '9' {
			p.pos++
		}
		return p.pos - from
	}
	if p.data[p.pos] == '-' {
		p.pos++
	}
	if p.pos >= len(p.data) {
		return nil, false
	}
	if p.data[p.pos] == '0' {
		p.pos++
	} else if digits() == 0 {
		return nil, false
	}
	integer := true
	if p.pos < len(p.data) && p.data[p.pos] == '.' {
		integer = false
		p.pos++
		if digits() == 0 {
			return nil, false
		}
	}
	if p.pos < len(p.data) && (p.data[p.pos] == 'e' || p.data[p.pos] == 'E') {
		integer = false
		p.pos++
		if p.pos < len(p.data) && (p.data[p.pos] == '+' || p.data[p.pos] == '-') {
			p.pos++
		}
		if digits() == 0 {
			return nil, false
		}
	}
	text := p.data[start:p.pos]
	// Small integers (the common case) without strconv; -0 stays a float, as in JSON.parse.
	if integer && len(text) <= 15 && !(len(text) == 2 && text[0] == '-' && text[1] == '0') {
		n, negative := int64(0), text[0] == '-'
		for _, c := range text {
			if c != '-' {
				n = n*10 + int64(c-'0')
			}
		}
		if negative {
			n = -n
		}
		return p.rt.ToValue(n), true
	}
	f, err := strconv.ParseFloat(string(text), 64)
	if err != nil {
		// Out of range: JSON.parse gives ±Infinity; let it.
		return nil, false
	}
	return p.rt.ToValue(f), true
}

// string reads a quoted string; unescaped strings are copied once, escapes decoded as encoding/json
// does (a lone surrogate becomes U+FFFD).
func (p *jsonParser) string() (string, bool) {
	p.pos++ // the opening quote
	start := p.pos
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		switch {
		case c == '"':
			text := string(p.data[start:p.pos])
			p.pos++
			return text, true
		case c == '\\':
			return p.escapedString(start)
		case c < 0x20:
			return "", false
		}
		p.pos++
	}
	return "", false
}

func (p *jsonParser) escapedString(start int) (string, bool) {
	out := make([]byte, 0, p.pos-start+16)
	out = append(out, p.data[start:p.pos]...)
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		switch {
		case c == '"':
			p.pos++
			return string(out), true
		case c < 0x20:
			return "", false
		case c != '\\':
			out = append(out, c)
			p.pos++
			continue
		}
		p.pos++
		if p.pos >= len(p.data) {
			return "", false
		}
		escape := p.data[p.pos]
		p.pos++
		switch escape {
		case '"', '\\', '/':
			out = append(out, escape)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return "", false
			}
			if utf16.IsSurrogate(r) {
				// A pair decodes to one rune; anything else is U+FFFD, as in encoding/json.
				saved := p.pos
				if p.pos+1 < len(p.data) && p.data[p.pos] == '\\' && p.data[p.pos+1] == 'u' {
					p.pos += 2
					if low, ok := p.hex4(); ok {
						if pair := utf16.DecodeRune(r, low); pair != utf8.RuneError {
							out = utf8.AppendRune(out, pair)
							continue
						}
					}
				}
				p.pos = saved
				r = utf8.RuneError
			}
			out = utf8.AppendRune(out, r)
		default:
			return "", false
		}
	}
	return "", false
}

func (p *jsonParser) hex4() (rune, bool) {
	if len(p.data)-p.pos < 4 {
		return 0, false
	}
	var r rune
	for _, c := range p.data[p.pos : p.pos+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	p.pos += 4
	return r, true
}

func (p *jsonParser) object(depth int) (goja.Value, bool) {
	p.pos++ // {
	object := p.rt.NewObject()
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		return object, true
	}
	for {
		if p.pos >= len(p.data) || p.data[p.pos] != '"' {
			return nil, false
		}
		key, ok := p.string()
		if !ok {
			return nil, false
		}
		p.skipSpace()
		if p.pos >= len(p.data) || p.data[p.pos] != ':' {
			return nil, false
		}
		p.pos++
		p.skipSpace()
		value, ok := p.value(depth + 1)
		if !ok {
			return nil, false
		}
		// A data property of the object itself (CreateDataProperty), never a setter such as __proto__.
		if err := object.DefineDataProperty(key, value, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE); err != nil {
			return nil, false
		}
		p.skipSpace()
		if p.pos >= len(p.data) {
			return nil, false
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
			p.skipSpace()
		case '}':
			p.pos++
			return object, true
		default:
			return nil, false
		}
	}
}

func (p *jsonParser) array(depth int) (goja.Value, bool) {
	p.pos++ // [
	var small [16]any
	values := small[:0]
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		return p.rt.NewArray(), true
	}
	for {
		value, ok := p.value(depth + 1)
		if !ok {
			return nil, false
		}
		values = append(values, value)
		p.skipSpace()
		if p.pos >= len(p.data) {
			return nil, false
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
			p.skipSpace()
		case ']':
			p.pos++
			return p.rt.NewArray(values...), true
		default:
			return nil, false
		}
	}
}
