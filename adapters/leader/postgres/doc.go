// Package postgres elects the leader of each singleton role among the
// instances of one member that share a PostgreSQL database, with
// session-level advisory locks (pg_try_advisory_lock).
//
// One connection per elector holds every lock the instance has; a lock
// lives exactly as long as that session, so an instance that is killed
// gives its roles up as soon as the server sees the connection close
// (at once for a killed process, whose kernel closes the socket). The
// lease bounds the other failures:
//
//   - the session asks the server to probe an idle client with TCP
//     keepalives (tcp_keepalives_idle/interval/count), so a vanished
//     machine's session, and its locks, end about Lease after its last
//     packet;
//   - the holder pings the server every Lease/6 and treats its leases as
//     lost once no ping has succeeded for Lease/3, before the server can
//     have released them, so it stops its singleton work before another
//     instance can start it;
//   - followers try the locks every Lease/10 (at most 500 ms), so a freed
//     role is taken within that.
//
// A lock's key is a 64-bit FNV-1a hash of the elector's scope (the member
// and its schema: advisory locks are per database, and several members may
// share one) and the role's name.
package postgres
