package protocol

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func members(t *testing.T, pairs ...string) []Member {
	t.Helper()
	var out []Member
	for _, p := range pairs {
		org, node, _ := strings.Cut(p, "/")
		o := mustOrg(t, org)
		out = append(out, Member{Identity: o, Node: mustNode(t, o, node)})
	}
	return out
}

func TestNewGroupSortsAndDeduplicates(t *testing.T) {
	g, err := NewGroup("ns", "g", members(t, "zeta/n1", "acme/n2", "acme/n1", "zeta/n1", "acme/n2"))
	require.NoError(t, err)
	assert.Equal(t, members(t, "acme/n1", "acme/n2", "zeta/n1"), g.Members())
}

func TestGroupHashIgnoresMemberOrder(t *testing.T) {
	list := members(t, "a/1", "b/1", "b/2", "c/1", "d/9", "d/1")
	want, err := NewGroup("ns", "", list)
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(1, 2))
	for range 50 {
		shuffled := append([]Member(nil), list...)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		shuffled = append(shuffled, shuffled[:rng.IntN(len(shuffled))]...) // repeats too
		g, err := NewGroup("ns", "", shuffled)
		require.NoError(t, err)
		assert.Equal(t, want.Hash(), g.Hash())
	}
}

func TestNewGroupRejects(t *testing.T) {
	acme := mustOrg(t, "acme")
	other := mustOrg(t, "other")
	cases := []struct {
		name      string
		namespace string
		groupName string
		members   []Member
		field     string
	}{
		{"bad namespace", "", "g", members(t, "acme/n"), "namespace"},
		{"bad name", "ns", "-g", members(t, "acme/n"), "name"},
		{"no members", "ns", "g", nil, "members"},
		{"zero identity", "ns", "g", []Member{{Node: mustNode(t, acme, "n")}}, "members[0].identity"},
		{"zero node", "ns", "g", []Member{{Identity: acme}}, "members[0].node"},
		{"node of another org", "ns", "g", []Member{{Identity: acme, Node: mustNode(t, other, "n")}}, "members[0].node"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewGroup(tc.namespace, tc.groupName, tc.members)
			require.ErrorIs(t, err, ErrInvalidGroup)
			var fe *FieldError
			require.True(t, errors.As(err, &fe))
			assert.Equal(t, tc.field, fe.Field)
		})
	}
}

func TestGroupJSON(t *testing.T) {
	g, err := NewGroup("ns", "", members(t, "b/1", "a/1"))
	require.NoError(t, err)
	raw := string(mustJSON(t, g))
	assert.JSONEq(t, `{"namespace":"ns","name":"","members":[{"identity":"did:lm:org/a","node":"did:lm:node/a/1"},
		{"identity":"did:lm:org/b","node":"did:lm:node/b/1"}],"hash":"`+g.Hash().String()+`"}`, raw)
	assertGroupRoundTrip(t, g)

	_, err = UnmarshalGroup([]byte(strings.Replace(raw, `"name":""`, `"name":"x"`, 1)))
	assert.Equal(t, ReasonGroupHashMismatch, RejectionReason(err))
	_, err = UnmarshalGroup([]byte(strings.Replace(raw, `"name":"",`, ``, 1)))
	assert.ErrorIs(t, err, ErrInvalidGroup)
	_, err = UnmarshalGroup([]byte(strings.Replace(raw, `"identity":"did:lm:org/a"`, `"Identity":"did:lm:org/a"`, 1)))
	assert.ErrorIs(t, err, ErrInvalidGroup)
}
