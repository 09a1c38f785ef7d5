// Package definition reads and writes the content of definition messages: the
// broadcast messages on the system topic (protocol.DefinitionsTopic) that
// register an org with its signing key, a node with its data-exchange endpoint
// and transport key, or a datatype with its JSON schema. The value of the
// message's single data item is one JSON object with a "kind".
//
//	{"kind":"org","org":"did:lm:org/acme","key":"0x…"}
//	{"kind":"node","node":"did:lm:node/acme/node1","endpoint":"https://…","transportKey":"-----BEGIN…"}
//	{"kind":"datatype","name":"invoice","version":"1.0","schema":{…}}
//
// Parse is strict (unknown members are an error) because every member must
// read a definition the same way.
package definition
