package salesforcetest

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// The SOQL the sandbox understands: SELECT fields (Relationship.Field
// too) FROM object, WHERE conditions joined by AND (=, !=, <, <=, >, >=,
// IN), ORDER BY fields ASC or DESC, LIMIT. Anything else is MALFORMED_QUERY,
// as Salesforce says of SOQL it cannot parse.
// https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select.htm

type soqlQuery struct {
	fields []string
	object *object
	where  []cond
	order  []orderBy
	limit  int
}

type cond struct {
	field string
	op    string
	vals  []literal
}

type literal struct {
	text   string
	isNull bool
	isTime bool
	t      time.Time
}

type orderBy struct {
	field string
	desc  bool
}

type lexer struct {
	toks []string
	pos  int
}

func lex(q string) ([]string, error) {
	var toks []string
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case c == ' ' || c == '\n' || c == '\t' || c == '\r':
			i++
		case c == ',' || c == '(' || c == ')':
			toks = append(toks, string(c))
			i++
		case c == '=' || c == '<' || c == '>' || c == '!':
			j := i + 1
			if j < len(q) && (q[j] == '=' || (c == '<' && q[j] == '>')) {
				j++
			}
			toks = append(toks, q[i:j])
			i = j
		case c == '\'':
			var b strings.Builder
			b.WriteByte('\'')
			j := i + 1
			for ; j < len(q) && q[j] != '\''; j++ {
				if q[j] == '\\' && j+1 < len(q) {
					j++
					switch q[j] {
					case 'n':
						b.WriteByte('\n')
					case 'r':
						b.WriteByte('\r')
					case 't':
						b.WriteByte('\t')
					default:
						b.WriteByte(q[j])
					}
					continue
				}
				b.WriteByte(q[j])
			}
			if j >= len(q) {
				return nil, fmt.Errorf("unterminated string")
			}
			toks = append(toks, b.String())
			i = j + 1
		default:
			j := i
			for j < len(q) && !strings.ContainsRune(" \n\t\r,()=<>!'", rune(q[j])) {
				j++
			}
			toks = append(toks, q[i:j])
			i = j
		}
	}
	return toks, nil
}

func (l *lexer) peek() string {
	if l.pos < len(l.toks) {
		return l.toks[l.pos]
	}
	return ""
}

func (l *lexer) next() string { t := l.peek(); l.pos++; return t }

func (l *lexer) keyword(k string) bool {
	if strings.EqualFold(l.peek(), k) {
		l.pos++
		return true
	}
	return false
}

// queryError is a SOQL refusal: its code and message.
type queryError struct{ code, msg string }

func (e *queryError) Error() string { return e.msg }

func malformed(format string, args ...any) error {
	return &queryError{code: "MALFORMED_QUERY", msg: fmt.Sprintf(format, args...)}
}

func (s *Server) parseSOQL(q string) (*soqlQuery, error) {
	toks, err := lex(q)
	if err != nil {
		return nil, malformed("unexpected token: %s", err)
	}
	l := &lexer{toks: toks}
	if !l.keyword("SELECT") {
		return nil, malformed("unexpected token: '%s'", l.peek())
	}
	out := &soqlQuery{limit: -1}
	for {
		f := l.next()
		if f == "" || strings.EqualFold(f, "FROM") {
			return nil, malformed("unexpected token: 'FROM'")
		}
		out.fields = append(out.fields, f)
		if l.peek() != "," {
			break
		}
		l.next()
	}
	if !l.keyword("FROM") {
		return nil, malformed("unexpected token: '%s'", l.peek())
	}
	name := l.next()
	out.object = s.objects[name]
	if out.object == nil {
		return nil, &queryError{code: "INVALID_TYPE", msg: fmt.Sprintf("sObject type '%s' is not supported.", name)}
	}
	for _, f := range out.fields {
		if err := s.checkField(out.object, f); err != nil {
			return nil, err
		}
	}
	if l.keyword("WHERE") {
		for {
			c, err := s.parseCond(l, out.object)
			if err != nil {
				return nil, err
			}
			out.where = append(out.where, c)
			if !l.keyword("AND") {
				break
			}
		}
	}
	if l.keyword("ORDER") {
		if !l.keyword("BY") {
			return nil, malformed("unexpected token: '%s'", l.peek())
		}
		for {
			f := l.next()
			if err := s.checkField(out.object, f); err != nil {
				return nil, err
			}
			ob := orderBy{field: f}
			if l.keyword("DESC") {
				ob.desc = true
			} else {
				l.keyword("ASC")
			}
			out.order = append(out.order, ob)
			if l.peek() != "," {
				break
			}
			l.next()
		}
	}
	if l.keyword("LIMIT") {
		n, err := strconv.Atoi(l.next())
		if err != nil || n < 0 {
			return nil, malformed("unexpected token in LIMIT")
		}
		out.limit = n
	}
	if l.peek() != "" {
		return nil, malformed("unexpected token: '%s'", l.peek())
	}
	return out, nil
}

func (s *Server) checkField(o *object, f string) error {
	if rel, sub, ok := strings.Cut(f, "."); ok {
		ref := o.fields[rel+"Id"]
		if ref != nil && ref.kind == kRef && len(ref.refs) == 1 && s.objects[ref.refs[0]].fields[sub] != nil {
			return nil
		}
		return &queryError{code: "INVALID_FIELD", msg: fmt.Sprintf("Didn't understand relationship '%s' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name.", rel)}
	}
	if o.fields[f] == nil {
		return &queryError{code: "INVALID_FIELD", msg: fmt.Sprintf("No such column '%s' on entity '%s'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name.", f, o.name)}
	}
	return nil
}

func (s *Server) parseCond(l *lexer, o *object) (cond, error) {
	c := cond{field: l.next()}
	if err := s.checkField(o, c.field); err != nil {
		return c, err
	}
	f := o.fields[c.field]
	c.op = strings.ToUpper(l.next())
	switch c.op {
	case "=", "!=", "<>", "<", "<=", ">", ">=":
		v, err := parseLiteral(l.next(), f)
		if err != nil {
			return c, err
		}
		c.vals = []literal{v}
	case "IN":
		if l.next() != "(" {
			return c, malformed("unexpected token after IN")
		}
		for {
			v, err := parseLiteral(l.next(), f)
			if err != nil {
				return c, err
			}
			c.vals = append(c.vals, v)
			if t := l.next(); t == ")" {
				break
			} else if t != "," {
				return c, malformed("unexpected token: '%s'", t)
			}
		}
	default:
		return c, malformed("unexpected token: '%s'", c.op)
	}
	return c, nil
}

func parseLiteral(tok string, f *field) (literal, error) {
	switch {
	case strings.HasPrefix(tok, "'"):
		if f != nil && (f.kind == kDateTime || f.kind == kCurrency || f.kind == kBool) {
			return literal{}, &queryError{code: "INVALID_FIELD", msg: "value of filter criterion must be of type " + kindName(f.kind) + " and should not be enclosed in quotes"}
		}
		return literal{text: tok[1:]}, nil
	case strings.EqualFold(tok, "null"):
		return literal{isNull: true}, nil
	case f != nil && f.kind == kDateTime:
		for _, layout := range []string{"2006-01-02T15:04:05Z", "2006-01-02T15:04:05.000Z", "2006-01-02T15:04:05-07:00"} {
			if t, err := time.Parse(layout, tok); err == nil {
				return literal{isTime: true, t: t}, nil
			}
		}
		return literal{}, malformed("line 1:%d no viable alternative at character '%s'", 1, tok)
	case tok != "" && (unicode.IsDigit(rune(tok[0])) || tok[0] == '-' || strings.EqualFold(tok, "true") || strings.EqualFold(tok, "false")):
		return literal{text: tok}, nil
	}
	return literal{}, malformed("unexpected token: '%s'", tok)
}

func kindName(k kind) string {
	switch k {
	case kDateTime:
		return "dateTime"
	case kCurrency:
		return "currency"
	case kBool:
		return "boolean"
	}
	return "string"
}

// run evaluates a query over the live records.
func (s *Server) run(q *soqlQuery) []map[string]any {
	o := q.object
	var rows []*rec
	for _, id := range o.order {
		r := o.records[id]
		if r.live() && s.matches(o, r, q.where) {
			rows = append(rows, r)
		}
	}
	sort.SliceStable(rows, func(i, j int) bool {
		for _, ob := range q.order {
			a, b := sortKey(o, rows[i], ob.field), sortKey(o, rows[j], ob.field)
			if a == b {
				continue
			}
			return (a < b) != ob.desc
		}
		return false
	})
	if q.limit >= 0 && len(rows) > q.limit {
		rows = rows[:q.limit]
	}
	out := make([]map[string]any, 0, len(rows))
	for _, r := range rows {
		out = append(out, s.view(o, r, q.fields))
	}
	return out
}

func sortKey(o *object, r *rec, f string) string {
	switch f {
	case "CreatedDate":
		return r.created.Format(time.RFC3339Nano)
	case "SystemModstamp", "LastModifiedDate":
		return r.modstamp.Format(time.RFC3339Nano)
	}
	return strings.ToLower(str(o.get(r, f)))
}

func (s *Server) matches(o *object, r *rec, where []cond) bool {
	for _, c := range where {
		if !s.holds(o, r, c) {
			return false
		}
	}
	return true
}

func (s *Server) holds(o *object, r *rec, c cond) bool {
	f := o.fields[c.field]
	var cmp func(l literal) int
	if f != nil && f.kind == kDateTime {
		var t time.Time
		switch c.field {
		case "CreatedDate":
			t = r.created
		default:
			t = r.modstamp
		}
		cmp = func(l literal) int { return t.Compare(l.t) }
	} else {
		v := str(o.get(r, c.field))
		if c.field == "Id" || (f != nil && f.kind == kRef) {
			cmp = func(l literal) int { return strings.Compare(idOf(v), idOf(l.text)) }
		} else {
			cmp = func(l literal) int { return strings.Compare(strings.ToLower(v), strings.ToLower(l.text)) }
		}
		isNull := o.get(r, c.field) == nil
		if len(c.vals) == 1 && c.vals[0].isNull {
			switch c.op {
			case "=":
				return isNull
			case "!=", "<>":
				return !isNull
			}
			return false
		}
		if isNull {
			return c.op == "!=" || c.op == "<>"
		}
	}
	switch c.op {
	case "IN":
		for _, l := range c.vals {
			if cmp(l) == 0 {
				return true
			}
		}
		return false
	case "=":
		return cmp(c.vals[0]) == 0
	case "!=", "<>":
		return cmp(c.vals[0]) != 0
	case "<":
		return cmp(c.vals[0]) < 0
	case "<=":
		return cmp(c.vals[0]) <= 0
	case ">":
		return cmp(c.vals[0]) > 0
	case ">=":
		return cmp(c.vals[0]) >= 0
	}
	return false
}

// idOf is an id's 15-character form: SOQL takes either.
func idOf(s string) string {
	if len(s) == 18 {
		return s[:15]
	}
	return s
}
