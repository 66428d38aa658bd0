// Package inputfile reads the offline description of a charm's situation
// (config, address, TLS, units and every relation's databags, as Juju stores
// them) that `charm render` turns into manifests; it may import snapshot,
// gateway, juju and apimachinery's validation.
package inputfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/canonical/istio-ingress-k8s-go/gateway"
	"github.com/canonical/istio-ingress-k8s-go/juju"
	"github.com/canonical/istio-ingress-k8s-go/snapshot"
	"github.com/canonical/istio-ingress-k8s-go/tlscert"
)

// File is the input file. Databag values are strings, exactly as Juju
// stores them (JSON-encoded where the interface says so).
type File struct {
	App   string `json:"app"`
	Model string `json:"model"`
	// ModelUUID is this model's UUID; a relation whose remote_model_uuid
	// equals it is a requirer in this model (see allowed-namespaces).
	ModelUUID string `json:"model_uuid"`
	// Config holds charm options by name, typed as config-get prints them.
	Config map[string]any `json:"config"`
	// Address is the gateway load balancer's address ("" if none yet).
	Address string `json:"address"`
	// NamespaceModels maps namespaces that belong to a Juju model to its
	// UUID, as their model.juju.is/id annotation says: a requirer whose
	// remote_model_uuid differs is not served there.
	NamespaceModels map[string]string `json:"namespace_models"`
	// TLS serves HTTPS with a certificate the file does not show; prefer
	// Certificate, which also renders the Secret.
	TLS bool `json:"tls"`
	// Certificate is the certificate the gateway serves, as a provider
	// sends it (nil: none).
	Certificate *Certificate `json:"certificate"`
	Units       int          `json:"units"`
	Relations   []Relation   `json:"relations"`
}

// Certificate is a certificate as the provider's bag holds it, and
// optionally its private key, which is only checked against it: render
// never prints a key.
type Certificate struct {
	Certificate string   `json:"certificate"`
	CA          string   `json:"ca"`
	Chain       []string `json:"chain"`
	Key         string   `json:"key"`
}

// Relation is one relation and the remote side's databags.
type Relation struct {
	Endpoint string            `json:"endpoint"`
	ID       int               `json:"id"`
	App      string            `json:"app"`
	AppData  map[string]string `json:"app_data"`
	// RemoteModelUUID is the model the remote application lives in, as
	// relation-model-get reports it; "" for another model.
	RemoteModelUUID string `json:"remote_model_uuid"`
	// UnitsData is accepted so a file can hold a relation's whole data, but
	// like the charm, render never reads unit bags: nothing in them changes
	// the manifests.
	UnitsData map[string]map[string]string `json:"units_data"`
}

// Parse decodes an input file into the snapshot the charm would read from
// Juju. Bad databags are not errors (they become per-relation results when
// planned); a malformed file is.
func Parse(data []byte) (snapshot.Snapshot, error) {
	var snap snapshot.Snapshot
	err := parseInto(data, &snap)
	return snap, err
}

func parseInto(data []byte, snap *snapshot.Snapshot) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f File
	if err := dec.Decode(&f); err != nil {
		return fmt.Errorf("decode input file: %w", describeJSONError(data, err))
	}
	if dec.More() {
		return errors.New("decode input file: trailing data after the JSON object")
	}
	if f.App == "" || f.Model == "" {
		return errors.New("input file: app and model are required")
	}
	// Juju never hands the charm other names, and these two are used as they
	// are for the Gateway's name and namespace.
	if err := checkName("app", f.App); err != nil {
		return err
	}
	if err := checkName("model", f.Model); err != nil {
		return err
	}
	if f.Units < 0 {
		return fmt.Errorf("input file: units %d is negative", f.Units)
	}
	cfg := snapshot.DefaultConfig()
	var err error
	if cfg.ExternalTrafficCIDRs, err = stringOption(f.Config, snapshot.OptionCIDRs, snapshot.DefaultCIDRs); err != nil {
		return err
	}
	if cfg.ExternalHostname, err = stringOption(f.Config, snapshot.OptionExternalHostname, ""); err != nil {
		return err
	}
	if cfg.AllowedNamespaces, err = stringOption(f.Config, snapshot.OptionAllowedNamespaces, ""); err != nil {
		return err
	}
	*snap = snapshot.Snapshot{App: f.App, Model: f.Model, ModelUUID: f.ModelUUID, Config: cfg, Units: f.Units, LBAddress: f.Address, NamespaceModels: f.NamespaceModels, TLS: f.TLS}
	if c := f.Certificate; c != nil {
		pair, err := tlscert.Shown(tlscert.Issued{Certificate: c.Certificate, CA: c.CA, Chain: c.Chain}, c.Key)
		if err != nil {
			return fmt.Errorf("input file: certificate: %w", err)
		}
		snap.Certificate = &pair
	}
	seen := map[int]bool{}
	for _, r := range f.Relations {
		if r.Endpoint == "" || r.App == "" {
			return fmt.Errorf("input file: relation %d needs an endpoint and an app", r.ID)
		}
		if r.ID < 0 {
			return fmt.Errorf("input file: relation id %d is negative", r.ID)
		}
		if err := checkName(fmt.Sprintf("relation %d app", r.ID), r.App); err != nil {
			return err
		}
		if seen[r.ID] {
			return fmt.Errorf("input file: relation id %d is used twice", r.ID)
		}
		seen[r.ID] = true
		rel := gateway.Relation{App: r.App, ID: juju.RelationID{Endpoint: r.Endpoint, ID: r.ID}}
		snap.Relations = append(snap.Relations, snapshot.Relation{Relation: rel, Bag: r.AppData, RemoteModelUUID: r.RemoteModelUUID})
	}
	return nil
}

func stringOption(cfg map[string]any, name, def string) (string, error) {
	v, ok := cfg[name]
	if !ok || v == nil {
		return def, nil
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("input file: config option %s must be a string", name)
	}
	return s, nil
}

// checkName refuses what cannot be a Juju application or model name:
// lowercase letters, digits and hyphens, as a DNS-1123 label.
func checkName(what, name string) error {
	if len(validation.IsDNS1123Label(name)) > 0 {
		return fmt.Errorf("input file: %s %q is not a valid Juju name (lowercase letters, digits and hyphens, at most 63)", what, name)
	}
	return nil
}

// describeJSONError turns the decoder's errors, which name Go types, into
// what the file's author needs: where, and what JSON was expected.
func describeJSONError(data []byte, err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return errors.New("the file is empty")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("the JSON ends too early")
	case errors.As(err, &syntax):
		return fmt.Errorf("line %d: %w", lineAt(data, syntax.Offset), err)
	case errors.As(err, &typ):
		if typ.Field == "" {
			return fmt.Errorf("the file must hold a JSON object, not %s", typ.Value)
		}
		want := jsonKind(typ.Type)
		if strings.HasSuffix(typ.Field, "_data") {
			want += " (databag values are strings, as Juju stores them)"
		}
		return fmt.Errorf("line %d: %s: want %s, got %s", lineAt(data, typ.Offset), typ.Field, want, typ.Value)
	}
	return err
}

// lineAt is the 1-based line holding byte offset off.
func lineAt(data []byte, off int64) int {
	off = min(max(off, 0), int64(len(data)))
	return bytes.Count(data[:off], []byte("\n")) + 1
}

// jsonKind names the JSON value a Go type decodes from.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return "a " + t.Kind().String()
}
