package config

import (
	"crypto/ecdsa"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// deployments is the repository's deployments/ directory.
var deployments = filepath.Join("..", "..", "..", "..", "deployments")

// checkServable loads a sample as `serve` would and checks what Load
// leaves to serve: with chain.driver ethereum, every namespace names its
// contract. Every LM_ variable in env must name a setting.
func checkServable(t *testing.T, file string, env []string) Config {
	t.Helper()
	cfg, unused, err := Load(Source{File: file, Env: env})
	require.NoError(t, err, file)
	assert.Empty(t, unused, "%s: LM_ variables that name no setting", file)
	if cfg.Chain.Driver == ChainEthereum {
		for i, ns := range cfg.Namespaces {
			assert.NotEmpty(t, ns.Contract, "%s: namespaces[%d].contract", file, i)
		}
	}
	return cfg
}

// TestSampleConfigsLoad: every deployments/*.yaml but the compose file is
// a configuration that loads and validates.
func TestSampleConfigsLoad(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(deployments, "*.yaml"))
	require.NoError(t, err)
	var names []string
	for _, f := range files {
		if filepath.Base(f) == "compose.yaml" {
			continue
		}
		names = append(names, filepath.Base(f))
		checkServable(t, f, nil)
	}
	assert.Subset(t, names, []string{"ledgermirror.yaml", "single-node.yaml", "postgres.yaml", "postgres-geth.yaml",
		"postgres-elasticsearch-nats.yaml", "postgres-kurrentdb-elasticsearch-nats.yaml"})

	cfg := checkServable(t, filepath.Join(deployments, "single-node.yaml"), nil)
	assert.Equal(t, ChainEmbedded, cfg.Chain.Driver)
	assert.Equal(t, DriverSQLite, cfg.EventStore.Driver)

	cfg = checkServable(t, filepath.Join(deployments, "postgres-geth.yaml"), nil)
	assert.Equal(t, DriverPostgres, cfg.EventStore.Driver)
	assert.Equal(t, DriverPostgres, cfg.ReadModel.Driver)
	assert.Equal(t, ChainEthereum, cfg.Chain.Driver)
	assert.Equal(t, "ws://geth:8546", cfg.Chain.RPC)

	cfg = checkServable(t, filepath.Join(deployments, "postgres-elasticsearch-nats.yaml"), nil)
	assert.Equal(t, DriverPostgres, cfg.EventStore.Driver)
	assert.Equal(t, "elasticsearch", cfg.Search.Driver)
	assert.Equal(t, "nats://nats:4222", cfg.Delivery.NATS.URL)

	cfg = checkServable(t, filepath.Join(deployments, "postgres-kurrentdb-elasticsearch-nats.yaml"), nil)
	assert.Equal(t, DriverKurrentDB, cfg.EventStore.Driver)
	assert.Equal(t, "org1/", cfg.EventStore.KurrentDB.StreamPrefix)
	assert.Equal(t, DriverPostgres, cfg.ReadModel.Driver)
	assert.NotEmpty(t, cfg.ReadModel.Postgres.URL, "no event-store URL to inherit")
	assert.Equal(t, "elasticsearch", cfg.Search.Driver)
}

// composeFile is what the test reads of deployments/compose.yaml.
type composeFile struct {
	Services map[string]struct {
		Environment map[string]string `yaml:"environment"`
		Volumes     []string          `yaml:"volumes"`
	} `yaml:"services"`
}

// TestComposeMembersLoad: each compose service that runs a member loads
// its mounted configuration with its LM_ variables, and the files it
// mounts exist. (Docker itself does not run here.)
func TestComposeMembersLoad(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(deployments, "compose.yaml"))
	require.NoError(t, err)
	var c composeFile
	require.NoError(t, yaml.Unmarshal(raw, &c))
	var members []string
	for name, svc := range c.Services {
		config := ""
		for _, v := range svc.Volumes {
			host, target, _ := strings.Cut(v, ":")
			if strings.HasPrefix(host, ".") {
				_, err := os.Stat(filepath.Join(deployments, host))
				assert.NoError(t, err, "service %s mounts %s", name, host)
			}
			if strings.HasPrefix(target, "/etc/ledgermirror/ledgermirror.yaml") {
				config = filepath.Join(deployments, host)
			}
		}
		if config == "" {
			continue
		}
		members = append(members, name)
		var env []string
		for k, v := range svc.Environment {
			env = append(env, k+"="+v)
		}
		cfg := checkServable(t, config, env)
		assert.Equal(t, name, cfg.Node.Org)
		assert.Equal(t, "/keys/signing.key", cfg.Chain.KeyFile)
		assert.Equal(t, "http://"+name+":5100", cfg.DataExchange.PublicURL)
	}
	sort.Strings(members)
	assert.Equal(t, []string{"org1", "org2", "org3"}, members)

	// The setup service deploys BatchPin as the developer account's first
	// transaction, at the address the members' config names, and funds
	// the addresses of the members' keys.
	setup := c.Services["setup"].Environment
	dev := common.HexToAddress(setup["DEV"])
	devKey := readKey(t, filepath.Join(deployments, "compose", "keys", "dev.key"))
	assert.Equal(t, dev, crypto.PubkeyToAddress(devKey.PublicKey))
	assert.Equal(t, crypto.CreateAddress(dev, 0).Hex(), setup["CONTRACT"])
	cfg := checkServable(t, filepath.Join(deployments, "postgres-elasticsearch-nats.yaml"), nil)
	assert.Equal(t, setup["CONTRACT"], cfg.Namespaces[0].Contract)
	for _, org := range members {
		key := readKey(t, filepath.Join(deployments, "compose", "keys", org+".key"))
		assert.Contains(t, strings.Fields(setup["MEMBERS"]), crypto.PubkeyToAddress(key.PublicKey).Hex(), org)
	}
}

func readKey(t *testing.T, path string) *ecdsa.PrivateKey {
	t.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	key, err := crypto.HexToECDSA(strings.TrimSpace(string(raw)))
	require.NoError(t, err, path)
	return key
}

// k8sObject is what the test reads of a manifest.
type k8sObject struct {
	Kind     string            `yaml:"kind"`
	Data     map[string]string `yaml:"data"`
	Metadata struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	Spec struct {
		Template struct {
			Spec struct {
				Containers []struct {
					Env []struct {
						Name  string `yaml:"name"`
						Value string `yaml:"value"`
					} `yaml:"env"`
					ReadinessProbe struct {
						HTTPGet struct {
							Path string `yaml:"path"`
						} `yaml:"httpGet"`
					} `yaml:"readinessProbe"`
					VolumeMounts []struct {
						Name      string `yaml:"name"`
						MountPath string `yaml:"mountPath"`
					} `yaml:"volumeMounts"`
				} `yaml:"containers"`
			} `yaml:"spec"`
		} `yaml:"template"`
		VolumeClaimTemplates []struct {
			Metadata struct {
				Name string `yaml:"name"`
			} `yaml:"metadata"`
		} `yaml:"volumeClaimTemplates"`
	} `yaml:"spec"`
}

func readManifests(t *testing.T) []k8sObject {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(deployments, "k8s", "*.yaml"))
	require.NoError(t, err)
	var out []k8sObject
	for _, f := range files {
		file, err := os.Open(f)
		require.NoError(t, err)
		dec := yaml.NewDecoder(file)
		for {
			var o k8sObject
			err := dec.Decode(&o)
			if errors.Is(err, io.EOF) {
				break
			}
			require.NoError(t, err, f)
			out = append(out, o)
		}
		require.NoError(t, file.Close())
	}
	return out
}

// TestKubernetesMembersLoad: the ConfigMap's configuration loads with
// each StatefulSet's LM_ variables (those with a value; secrets are the
// cluster's), node.dataDir is on the StatefulSet's volume, and readiness is
// GET /api/v1/status. (No cluster runs here.)
func TestKubernetesMembersLoad(t *testing.T) {
	objs := readManifests(t)
	var config string
	for _, o := range objs {
		if o.Kind == "ConfigMap" && o.Metadata.Name == "ledgermirror-config" {
			config = filepath.Join(t.TempDir(), "ledgermirror.yaml")
			require.NoError(t, os.WriteFile(config, []byte(o.Data["ledgermirror.yaml"]), 0o600))
		}
	}
	require.NotEmpty(t, config, "the ConfigMap ledgermirror-config")
	checkServable(t, config, nil)
	var members []string
	for _, o := range objs {
		if o.Kind != "StatefulSet" {
			continue
		}
		members = append(members, o.Metadata.Name)
		require.Len(t, o.Spec.Template.Spec.Containers, 1)
		c := o.Spec.Template.Spec.Containers[0]
		var env []string
		for _, e := range c.Env {
			if e.Value != "" {
				env = append(env, e.Name+"="+e.Value)
			}
		}
		cfg := checkServable(t, config, env)
		assert.Equal(t, o.Metadata.Name, cfg.Node.Org)
		assert.Equal(t, "/api/v1/status", c.ReadinessProbe.HTTPGet.Path)
		require.Len(t, o.Spec.VolumeClaimTemplates, 1)
		claim := o.Spec.VolumeClaimTemplates[0].Metadata.Name
		mounted := map[string]string{}
		for _, m := range c.VolumeMounts {
			mounted[m.MountPath] = m.Name
		}
		assert.Equal(t, claim, mounted[cfg.Node.DataDir], "%s: node.dataDir on the claimed volume", o.Metadata.Name)
		assert.Equal(t, "config", mounted["/etc/ledgermirror"])
		assert.Equal(t, "signing-key", mounted[filepath.Dir(cfg.Chain.KeyFile)])
	}
	assert.Equal(t, []string{"org1", "org2"}, members)
}
