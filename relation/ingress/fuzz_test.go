package ingress

import (
	"testing"
)

// FuzzParseAppData feeds arbitrary values for every key. The parser must
// never panic, must only accept what it documents, and whatever it accepts
// our requirer writer must be able to write back unchanged.
func FuzzParseAppData(f *testing.F) {
	for _, c := range pythonRequirerCases {
		b := c.bag
		f.Add(b["model"], b["name"], b["port"], b["strip-prefix"], b["redirect-https"], b["scheme"], b["healthcheck_params"])
	}
	f.Add(`"m"`, `"a"`, "65535", `"yes"`, "1.0", "null", `{"path": 1}`)
	f.Add(`"m"`, `"a"`, "1e400", "[", "{", `"\ud800"`, `{"path": "/", "port": "9e3"}`)
	f.Add("", "", "", "", "", "", "")
	f.Fuzz(func(t *testing.T, model, name, port, strip, redirect, scheme, hc string) {
		bag := map[string]string{
			"model": model, "name": name, "port": port, "strip-prefix": strip,
			"redirect-https": redirect, "scheme": scheme, "healthcheck_params": hc,
		}
		d, err := ParseRequirerAppData(bag)
		if err != nil {
			if d != nil {
				t.Fatalf("error %v with a result", err)
			}
			return
		}
		if d.Model == "" || d.Name == "" || d.Port < 1 || d.Port > 65535 || !validScheme(d.Scheme) {
			t.Fatalf("accepted an invalid request %+v", d.Request)
		}
		if d.Port == 65535 {
			return // accepted from requirers, but not written (Python providers refuse it)
		}
		out, err := d.Bag()
		if err != nil {
			t.Fatalf("cannot write back accepted data %+v: %v", d.Request, err)
		}
		back, err := ParseAppData(out)
		if err != nil {
			t.Fatalf("cannot re-read our own bag %v: %v", out, err)
		}
		if *back != d.Request {
			t.Fatalf("round trip changed the request: %+v -> %+v", d.Request, *back)
		}
	})
}

// FuzzReadURL: reading a provider bag never panics, and what it returns is
// already in published form, so publishing it again changes nothing.
func FuzzReadURL(f *testing.F) {
	f.Add(`{"url": "http://10.1.2.3/mymodel-myapp"}`)
	f.Add(`{"url": "HTTPS://Foo:443/a b?c d#e f"}`)
	f.Add(`{"url": "http://[fe80::1%25eth0]/"}`)
	f.Add(`{"url": "http://u@h@x:08080\\a"}`)
	f.Add(`{"url": null}`)
	f.Fuzz(func(t *testing.T, value string) {
		u, err := ReadURL(map[string]string{"ingress": value})
		if err != nil {
			return
		}
		bag, err := ServedBag(u)
		if err != nil {
			t.Fatalf("cannot publish a URL we read (%q): %v", u, err)
		}
		again, err := ReadURL(bag)
		if err != nil || again != u {
			t.Fatalf("not stable: %q -> %q (%v)", u, again, err)
		}
	})
}
