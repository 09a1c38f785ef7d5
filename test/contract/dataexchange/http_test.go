package dataexchange_test

import (
	"crypto/ed25519"
	"errors"
	"net"
	"net/http"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	dxhttp "github.com/ledgermirror/ledgermirror/adapters/dataexchange/http"
	"github.com/ledgermirror/ledgermirror/domain/messaging"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
	"github.com/ledgermirror/ledgermirror/test/contract/dataexchange"
)

// TestHTTP runs the suite on two nodes with real loopback listeners.
func TestHTTP(t *testing.T) {
	dataexchange.Run(t, dataexchange.Harness{New: newHTTPEnv})
}

// httpNode is one node: its key, its server and the listener it serves on.
type httpNode struct {
	did    protocol.NodeDID
	key    ed25519.PrivateKey
	addr   string
	server *dxhttp.Server
	http   *http.Server
	done   chan struct{}
}

func (n *httpNode) start(t *testing.T) {
	t.Helper()
	addr := n.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	l, err := net.Listen("tcp", addr)
	require.NoError(t, err)
	n.addr = l.Addr().String()
	n.http = n.server.HTTPServer(n.addr)
	n.done = make(chan struct{})
	go func(s *http.Server, done chan struct{}) {
		defer close(done)
		if err := s.Serve(l); !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("serving %s: %v", n.did, err)
		}
	}(n.http, n.done)
}

func (n *httpNode) stop(t *testing.T) {
	t.Helper()
	require.NoError(t, n.http.Close())
	<-n.done
}

func newHTTPEnv(t *testing.T, a, b *dataexchange.Inbox) dataexchange.Env {
	log := zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)
	node := func(did string, inbox messaging.Inbox) *httpNode {
		d, err := protocol.ParseNodeDID(did)
		require.NoError(t, err)
		key, err := dxhttp.GenerateKey()
		require.NoError(t, err)
		server, err := dxhttp.NewServer(dxhttp.ServerConfig{Node: did}, inbox, nil, log)
		require.NoError(t, err)
		n := &httpNode{did: d, key: key, server: server}
		n.start(t)
		t.Cleanup(func() { n.stop(t) })
		return n
	}
	nodeA, nodeB := node("did:lm:node/orga/node1", a), node("did:lm:node/orgb/node1", b)
	a.Know(nodeB.did, dxhttp.PublicKeyPEM(nodeB.key))
	b.Know(nodeA.did, dxhttp.PublicKeyPEM(nodeA.key))

	client := func(self protocol.NodeDID, key ed25519.PrivateKey) messaging.Transport {
		c, err := dxhttp.NewClient(dxhttp.ClientConfig{}, self, key)
		require.NoError(t, err)
		t.Cleanup(c.Close)
		return c
	}
	peer := func(n *httpNode) messaging.Peer {
		return messaging.Peer{Node: n.did, Endpoint: "http://" + n.addr, TransportKey: dxhttp.PublicKeyPEM(n.key)}
	}
	return dataexchange.Env{
		A:      dataexchange.Node{DID: nodeA.did, Transport: client(nodeA.did, nodeA.key), Peer: peer(nodeA)},
		B:      dataexchange.Node{DID: nodeB.did, Transport: client(nodeB.did, nodeB.key), Peer: peer(nodeB)},
		StopB:  nodeB.stop,
		StartB: nodeB.start,
		Impostor: func(t *testing.T, claimed protocol.NodeDID) messaging.Transport {
			key, err := dxhttp.GenerateKey()
			require.NoError(t, err)
			return client(claimed, key)
		},
	}
}
