package http

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoadOrCreateKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys", "transport.pem")
	created, err := LoadOrCreateKey(path)
	require.NoError(t, err)
	info, err := os.Stat(path)
	require.NoError(t, err)
	if runtime.GOOS != "windows" {
		assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	}
	loaded, err := LoadOrCreateKey(path)
	require.NoError(t, err)
	assert.True(t, created.Equal(loaded), "the same key the second time")
	entries, err := os.ReadDir(filepath.Dir(path))
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file left")
}

func TestLoadOrCreateKeyConcurrently(t *testing.T) {
	path := filepath.Join(t.TempDir(), "transport.pem")
	var wg sync.WaitGroup
	keys := make([]string, 8)
	for i := range keys {
		wg.Go(func() {
			k, err := LoadOrCreateKey(path)
			if assert.NoError(t, err) {
				keys[i] = PublicKeyPEM(k)
			}
		})
	}
	wg.Wait()
	for _, k := range keys {
		assert.Equal(t, keys[0], k, "everyone ends up with the key on disk")
	}
}

func TestLoadOrCreateKeyRefusesOtherFiles(t *testing.T) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	ecDER, err := x509.MarshalPKCS8PrivateKey(ec)
	require.NoError(t, err)
	good, err := x509.MarshalPKCS8PrivateKey(newKey(t))
	require.NoError(t, err)
	goodPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: good})
	for name, content := range map[string][]byte{
		"empty":        {},
		"garbage":      []byte("not a key"),
		"wrong type":   pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: good}),
		"ecdsa":        pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: ecDER}),
		"bad DER":      pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1, 2, 3}}),
		"two blocks":   append(append([]byte{}, goodPEM...), goodPEM...),
		"public block": []byte(PublicKeyPEM(newKey(t))),
	} {
		path := filepath.Join(t.TempDir(), "key.pem")
		require.NoError(t, os.WriteFile(path, content, 0o600))
		_, err := LoadOrCreateKey(path)
		assert.Error(t, err, name)
		after, _ := os.ReadFile(path)
		assert.Equal(t, content, after, "%s: a bad key file is never overwritten", name)
	}
}

func TestPublicKeyPEM(t *testing.T) {
	key := newKey(t)
	text := PublicKeyPEM(key)
	assert.Regexp(t, `^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=]+\n-----END PUBLIC KEY-----\n$`, text)
	pub, err := ParsePublicKeyPEM(text)
	require.NoError(t, err)
	assert.True(t, pub.Equal(key.Public()))
	_, err = ParsePublicKeyPEM("\n  " + text + "\n\n")
	assert.NoError(t, err, "surrounding whitespace is fine")

	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	ecDER, err := x509.MarshalPKIXPublicKey(&ec.PublicKey)
	require.NoError(t, err)
	for name, bad := range map[string]string{
		"empty":           "",
		"garbage":         "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n",
		"ecdsa":           string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: ecDER})),
		"private type":    string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: ecDER})),
		"trailing data":   text + "more",
		"two keys":        text + text,
		"certificate-ish": string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ecDER})),
	} {
		_, err := ParsePublicKeyPEM(bad)
		assert.Error(t, err, name)
	}
}
