package http

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

const (
	pemPrivateKey = "PRIVATE KEY"
	pemPublicKey  = "PUBLIC KEY"
)

// GenerateKey returns a new ed25519 transport key.
func GenerateKey() (ed25519.PrivateKey, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	return priv, err
}

// LoadOrCreateKey reads the transport key from path (PEM, PKCS#8 "PRIVATE
// KEY"), or, when the file does not exist, generates one and writes it there
// with mode 0600 (creating the directory with 0700). Two processes creating
// the same file at once end up with the same key: the file is linked into
// place only if absent, and the loser reads the winner's.
func LoadOrCreateKey(path string) (ed25519.PrivateKey, error) {
	key, err := loadKey(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	key, err = GenerateKey()
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".key-*") // mode 0600
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(pem.EncodeToMemory(&pem.Block{Type: pemPrivateKey, Bytes: der}))
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("writing transport key: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("writing transport key: %w", err)
	}
	return loadKey(path)
}

func loadKey(path string) (ed25519.PrivateKey, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	block, ok := onePEMBlock(raw, pemPrivateKey)
	if !ok {
		return nil, fmt.Errorf("transport key %s: not one PEM %q block", path, pemPrivateKey)
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("transport key %s: %w", path, err)
	}
	key, ok := parsed.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("transport key %s: a %T, not an ed25519 key", path, parsed)
	}
	return key, nil
}

// PublicKeyPEM returns the public half of key as registered in a node
// definition: PEM, PKIX "PUBLIC KEY".
func PublicKeyPEM(key ed25519.PrivateKey) string {
	der, err := x509.MarshalPKIXPublicKey(key.Public())
	if err != nil { // cannot happen: it fails only for other key types
		return ""
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: pemPublicKey, Bytes: der}))
}

// ParsePublicKeyPEM reads a registered transport key: one PEM "PUBLIC KEY"
// block (surrounding whitespace allowed) holding an ed25519 PKIX key.
func ParsePublicKeyPEM(s string) (ed25519.PublicKey, error) {
	block, ok := onePEMBlock([]byte(s), pemPublicKey)
	if !ok {
		return nil, fmt.Errorf("transport key: not one PEM %q block", pemPublicKey)
	}
	parsed, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("transport key: %w", err)
	}
	key, ok := parsed.(ed25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("transport key: a %T, not an ed25519 key", parsed)
	}
	return key, nil
}

// onePEMBlock reads text that is exactly one PEM block of the given type,
// give or take surrounding whitespace (pem.Decode alone skips text before
// the block and leaves what follows it).
func onePEMBlock(text []byte, typ string) (*pem.Block, bool) {
	text = bytes.TrimSpace(text)
	if !bytes.HasPrefix(text, []byte("-----BEGIN ")) {
		return nil, false
	}
	block, rest := pem.Decode(text)
	if block == nil || block.Type != typ || len(rest) != 0 || len(block.Headers) != 0 {
		return nil, false
	}
	return block, true
}
