// Package logging builds the process's zerolog logger from its config: JSON lines
// by default (what log shippers want), a human console format on request.
package logging
