package kubeenv

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"

	// The module of istio.io/api ships Istio's CRDs (crdFiles reads them
	// from the module cache); this import, of a package with no imports of
	// its own, keeps the module required at the version go.mod pins.
	_ "istio.io/api/label"
)

// CRDSet names a group of CRDs shipped by one Go module the charm requires.
type CRDSet string

// The CRD sets the charm needs.
const (
	GatewayAPICRDs CRDSet = "Gateway API"
	IstioCRDs      CRDSet = "Istio"
)

var crdGVR = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}

// crdFiles finds a set's manifests in the module cache, at the versions go.mod pins.
func (e *Env) crdFiles(set CRDSet) ([]string, error) {
	switch set {
	case GatewayAPICRDs:
		dir, err := e.moduleDir("sigs.k8s.io/gateway-api")
		if err != nil {
			return nil, err
		}
		files, err := filepath.Glob(filepath.Join(dir, "config", "crd", "experimental", "*.yaml"))
		if err != nil {
			return nil, err
		}
		var out []string
		for _, f := range files {
			if filepath.Base(f) != "kustomization.yaml" {
				out = append(out, f)
			}
		}
		return out, nil
	case IstioCRDs:
		dir, err := e.moduleDir("istio.io/api")
		if err != nil {
			return nil, err
		}
		return []string{filepath.Join(dir, "kubernetes", "customresourcedefinitions.gen.yaml")}, nil
	default:
		return nil, fmt.Errorf("unknown CRD set %q", set)
	}
}

// moduleDir returns the module's directory in the module cache, downloading
// it first when needed (a test binary built elsewhere may run on a machine
// whose cache lacks it).
func (e *Env) moduleDir(module string) (string, error) {
	cmd := exec.Command("go", "mod", "download", "-json", module)
	cmd.Dir = e.repoRoot
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var info struct{ Dir, Error string }
	if jsonErr := json.Unmarshal(out, &info); jsonErr == nil && info.Error != "" {
		return "", fmt.Errorf("download module %s: %s", module, info.Error)
	}
	if err != nil {
		return "", fmt.Errorf("download module %s: %w: %s", module, err, strings.TrimSpace(stderr.String()))
	}
	if info.Dir == "" {
		return "", fmt.Errorf("download module %s: go mod download gave no directory", module)
	}
	return info.Dir, nil
}

// InstallCRDs applies the sets' CRDs server-side (the HTTPRoute CRD is too
// large for a client-side apply annotation) and waits until all are Established.
func (e *Env) InstallCRDs(ctx context.Context, sets ...CRDSet) error {
	client := e.Dynamic().Resource(crdGVR)
	var names []string
	for _, set := range sets {
		files, err := e.crdFiles(set)
		if err != nil {
			return err
		}
		for _, f := range files {
			crds, err := readManifests(f)
			if err != nil {
				return err
			}
			for _, crd := range crds {
				if crd.GetKind() != "CustomResourceDefinition" {
					continue
				}
				_, err := client.Apply(ctx, crd.GetName(), crd, metav1.ApplyOptions{FieldManager: "kubeenv", Force: true})
				if err != nil {
					return fmt.Errorf("install %s CRD %s: %w", set, crd.GetName(), err)
				}
				names = append(names, crd.GetName())
			}
		}
	}
	for _, name := range names {
		if err := e.waitEstablished(ctx, name); err != nil {
			return err
		}
	}
	return nil
}

// DeleteCRD removes one CRD (e.g. "destinationrules.networking.istio.io") and
// waits until it is gone, so tests can simulate a partly installed cluster.
func (e *Env) DeleteCRD(ctx context.Context, name string) error {
	client := e.Dynamic().Resource(crdGVR)
	if err := client.Delete(ctx, name, metav1.DeleteOptions{}); err != nil {
		return fmt.Errorf("delete CRD %s: %w", name, err)
	}
	return poll(ctx, func() (bool, error) {
		_, err := client.Get(ctx, name, metav1.GetOptions{})
		return apierrors.IsNotFound(err), nil
	})
}

func (e *Env) waitEstablished(ctx context.Context, name string) error {
	client := e.Dynamic().Resource(crdGVR)
	err := poll(ctx, func() (bool, error) {
		crd, err := client.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		conds, _, _ := unstructured.NestedSlice(crd.Object, "status", "conditions")
		for _, c := range conds {
			m, ok := c.(map[string]any)
			if ok && m["type"] == "Established" && m["status"] == "True" {
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		return fmt.Errorf("CRD %s not Established: %w", name, err)
	}
	return nil
}

func readManifests(path string) ([]*unstructured.Unstructured, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	dec := utilyaml.NewYAMLOrJSONDecoder(f, 64*1024)
	var out []*unstructured.Unstructured
	for {
		var obj map[string]any
		err := dec.Decode(&obj)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("decode %s: %w", path, err)
		}
		if len(obj) > 0 {
			out = append(out, &unstructured.Unstructured{Object: obj})
		}
	}
}

// poll calls done every pollEvery until it reports true, fails, or ctx ends.
func poll(ctx context.Context, done func() (bool, error)) error {
	t := time.NewTicker(pollEvery)
	defer t.Stop()
	for {
		ok, err := done()
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}
