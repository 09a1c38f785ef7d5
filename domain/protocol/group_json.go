package protocol

var (
	groupSpec  = specOf[groupJSON]()
	memberSpec = specOf[memberJSON]()
)

func decodeGroupJSON(raw []byte) (groupJSON, error) {
	var w groupJSON
	var o strictObject
	if err := o.open(ErrInvalidGroup, raw, false, groupSpec); err != nil {
		return w, err
	}
	for _, m := range o.fields() {
		switch m.name {
		case "namespace":
			decodeString(&o, m, &w.Namespace)
		case "name":
			decodeStringPtr(&o, m, &w.Name)
		case "members":
			decodeObjectList(&o, m, &w.Members, parseMember)
		case "hash":
			decodeHashPtr(&o, m, &w.Hash)
		}
		if o.stopped() {
			break
		}
	}
	return w, o.err()
}

// parseMember reads a group member nested in validated text.
func parseMember(raw []byte) (Member, error) { return unmarshalMember(raw, true) }

func unmarshalMember(raw []byte, validated bool) (Member, error) {
	var w memberJSON
	var o strictObject
	if err := o.open(ErrInvalidGroup, raw, validated, memberSpec); err != nil {
		return Member{}, err
	}
	for _, m := range o.fields() {
		switch m.name {
		case "identity":
			decodeText(&o, m, &w.Identity, ParseOrgDID)
		case "node":
			decodeText(&o, m, &w.Node, ParseNodeDID)
		}
		if o.stopped() {
			break
		}
	}
	return Member(w), o.err()
}
