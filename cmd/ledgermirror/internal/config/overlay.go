package config

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// leaf is one settable scalar of a config tree, addressed by its YAML path.
type leaf struct {
	path  string // e.g. eventStore.sqlite.path
	value reflect.Value
}

// EnvName is the environment variable that sets the YAML path p.
func EnvName(prefix, p string) string {
	return prefix + strings.ToUpper(strings.ReplaceAll(p, ".", "_"))
}

// leaves lists every scalar field reachable from v (a pointer to a struct) by
// yaml tags. Fields tagged `yaml:"-"` are skipped.
func leaves(v reflect.Value, prefix string) []leaf {
	v = reflect.Indirect(v)
	var out []leaf
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name := strings.Split(f.Tag.Get("yaml"), ",")[0]
		if name == "-" {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name[:1]) + f.Name[1:]
		}
		p := name
		if prefix != "" {
			p = prefix + "." + name
		}
		fv := v.Field(i)
		if fv.Kind() == reflect.Struct && fv.Type() != reflect.TypeFor[time.Time]() {
			out = append(out, leaves(fv.Addr(), p)...)
			continue
		}
		out = append(out, leaf{path: p, value: fv})
	}
	return out
}

// setString parses s into a scalar field of a supported kind.
func setString(v reflect.Value, s string) error {
	if v.Type() == reflect.TypeFor[time.Duration]() {
		d, err := time.ParseDuration(s)
		if err != nil {
			return err
		}
		v.SetInt(int64(d))
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return err
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, v.Type().Bits())
		if err != nil {
			return err
		}
		v.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(s, 10, v.Type().Bits())
		if err != nil {
			return err
		}
		v.SetUint(n)
	case reflect.Float32, reflect.Float64:
		n, err := strconv.ParseFloat(s, v.Type().Bits())
		if err != nil {
			return err
		}
		v.SetFloat(n)
	case reflect.Slice:
		if v.Type().Elem().Kind() != reflect.String {
			return fmt.Errorf("unsupported list type %s", v.Type())
		}
		var items []string
		for _, it := range strings.Split(s, ",") {
			if it = strings.TrimSpace(it); it != "" {
				items = append(items, it)
			}
		}
		v.Set(reflect.ValueOf(items))
	default:
		return fmt.Errorf("unsupported type %s", v.Type())
	}
	return nil
}
