package requirercharm

import (
	"archive/zip"
	"debug/elf"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/canonical/istio-ingress-k8s-go/relation/ingressroute"
	"github.com/canonical/istio-ingress-k8s-go/tests/jujusim"
	"github.com/canonical/istio-ingress-k8s-go/tests/jujusim/simstate"
	"github.com/canonical/istio-ingress-k8s-go/tests/requirercharm/requirer"
	"github.com/canonical/istio-ingress-k8s-go/tools/charmarchive"
)

func TestBuild(t *testing.T) {
	archive := Build(t)

	t.Run("the archive holds an executable dispatch and a static binary", func(t *testing.T) {
		zr, err := zip.OpenReader(archive)
		require.NoError(t, err)
		defer zr.Close()
		files := map[string]*zip.File{}
		for _, f := range zr.File {
			files[f.Name] = f
		}
		for _, name := range []string{"dispatch", charmarchive.BinaryPath} {
			require.Contains(t, files, name)
			assert.Equal(t, os.FileMode(0o755), files[name].Mode().Perm(), name)
		}

		dir := t.TempDir()
		require.NoError(t, charmarchive.Extract(archive, dir))
		bin, err := elf.Open(filepath.Join(dir, charmarchive.BinaryPath))
		require.NoError(t, err)
		defer bin.Close()
		for _, p := range bin.Progs {
			assert.NotEqual(t, elf.PT_INTERP, p.Type, "statically linked: no program interpreter")
		}
	})

	t.Run("metadata requires istio_ingress_route", func(t *testing.T) {
		zr, err := zip.OpenReader(archive)
		require.NoError(t, err)
		defer zr.Close()
		f, err := zr.Open("metadata.yaml")
		require.NoError(t, err)
		b, err := io.ReadAll(f)
		require.NoError(t, err)
		var md struct {
			Name     string `yaml:"name"`
			Requires map[string]struct {
				Interface string `yaml:"interface"`
			} `yaml:"requires"`
		}
		require.NoError(t, yaml.Unmarshal(b, &md))
		assert.Equal(t, AppName, md.Name)
		assert.Equal(t, "istio_ingress_route", md.Requires[requirer.Endpoint].Interface)
	})

	t.Run("the packed charm runs in a simulated model", func(t *testing.T) {
		m := jujusim.NewModel(t)
		jujusim.RequireOK(t, m.Deploy(AppName, archive, 2))
		assert.Equal(t, simstate.Status{Status: "waiting", Message: requirer.MsgNoRelation}, m.UnitStatus(AppName+"/0"))

		ing := ingressroute.Ingress{ExternalHost: "gw.example.com", TLSEnabled: true}
		id, runs := m.Relate(AppName, requirer.Endpoint, jujusim.Remote{App: "gw", Units: 1, AppData: ing.Bag()})
		jujusim.RequireOK(t, runs)

		want, err := requirer.Config(m.Snapshot().Name, AppName).Encode()
		require.NoError(t, err)
		assert.Equal(t, map[string]string{ingressroute.KeyConfig: string(want)}, m.RelationData(id, AppName), "the leader asked")
		for _, u := range m.Units(AppName) {
			assert.Equal(t, simstate.Status{Status: "active", Message: "Reachable at https://gw.example.com:8080/api"}, m.UnitStatus(u))
		}
	})
}
