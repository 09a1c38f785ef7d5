// Package query is the filter syntax of collection requests (GET
// /messages?...), in the style of Hyperledger FireFly: Parse turns the URL
// query into a validated Query that does not depend on any SQL dialect. Read
// model adapters translate a Query into SQL; Query.Matches, Query.Compare and
// Query.Apply are the reference semantics they are tested against.
//
// A Collection declares the fields a request may filter and sort on
// (NewCollection checks it). Parse is pure and total: any url.Values gives a
// Query or an *Error, never a panic.
//
// # Parameters
//
// Every query parameter is either a field of the collection (a filter) or one
// of the reserved parameters below; any other name is an error, so the caller
// removes the parameters it handles itself before calling Parse. Names are
// case-sensitive.
//
//	sort=f1,-f2   order by f1 ascending, then f2 descending. Repeating sort
//	              appends keys (sort=f1&sort=-f2 is the same). Only sortable
//	              fields, each at most once. Without sort, the collection's
//	              default sort. The collection's key is always appended as
//	              the last key (unless named), in the direction of the key
//	              before it, so the order is total and reversing every
//	              direction reverses the order.
//	skip=N        rows to skip, an integer >= 0 (default 0)
//	limit=N       page size, an integer from 1 to 1000 (default 25)
//	count=B       true or false (default false): also count all matching rows
//
// skip, limit and count may appear once each.
//
// # Filters
//
// Conditions on different fields are ANDed; repeated conditions on the same
// field are ORed. So state=pending&state=rejected&author=a is
// (state = pending OR state = rejected) AND author = a. Beware that a
// negation repeated ORs too: state=!pending&state=!rejected holds for every
// state; write state=!@pending,rejected instead.
//
// The value of a filter is
//
//	[!] [?] [operator] operand
//
// read left to right: first the modifiers, each at most once and in this
// order, then at most one operator, then the operand, which is everything
// that follows, taken literally.
//
//	!    not: the condition is negated
//	?    case-insensitive (string and string-list fields only): ASCII
//	     letters A-Z match a-z; other characters must match exactly
//
//	=    equals (the default when there is no operator)
//	>    greater than           >=   greater than or equal
//	<    less than              <=   less than or equal
//	:    contains (~ is the same operator)
//	^    starts with
//	$    ends with
//	@    in list: the operand is a comma-separated list, and the condition
//	     holds when the field equals any item. An item cannot contain a
//	     comma; repeat the parameter instead.
//
// Without an operator the operand must not begin with one of ! ? = < > : ~ ^
// $ @, since those would be read as a prefix. To match such a value write the
// operator explicitly: tag==>x is tag equals ">x", tag=!=!x is tag does not
// equal "!x", tag=^^x is tag starts with "^x". A value that begins with ! or
// ? after the modifiers and no operator (tag=?!x, tag=!!x) is an error, not
// a guess. An empty operand is a value like any other for = and @ (on a
// string field tag= matches the empty string; on an int field it is an
// error), and an error for :, ^ and $. URL decoding comes first: '+' is a
// space, so write %2B for a plus sign (a time zone offset, for one).
//
// Examples:
//
//	state=pending              state equals pending
//	state=!pending             state is not pending
//	state=@pending,rejected    state is pending or rejected
//	state=!@pending,rejected   state is neither
//	sequence=>=100             sequence >= 100
//	created=<2024-05-01T00:00:00Z
//	created=>1714521600000     after that many Unix milliseconds
//	author=?^ACME              author starts with "acme", any case of ASCII
//	tag=!?:test                tag does not contain "test" in any case
//	topics=orders              one of the topics is "orders"
//	topics=!orders             no topic is "orders"
//	hash=^3fa9                 hash starts with the hex digits 3fa9
//
// # Types
//
// Each field has a type, which decides the operators it takes, how operands
// are read, and the Go type of the values in Condition.Values (which is also
// what an evaluated Row holds):
//
//	type        operators                 operand                      Go value
//	String      = > >= < <= : ^ $ @       any text                     string
//	StringList  = : ^ $ @                 any text                     string
//	Int         = > >= < <= @             decimal int64, optional sign int64
//	Time        = > >= < <= @             RFC 3339 or Unix ms (below)  time.Time, UTC
//	UUID        = @                       8-4-4-4-12 hex digits        [16]byte
//	Hash        = : ^ $ @                 64 hex digits (= @), or      [32]byte (= @)
//	                                      1 to 64 hex digits (: ^ $)   string (: ^ $)
//	Bool        = @                       true or false                bool
//	Enum        = @                       one of the field's values    string
//
// ! applies to every operator. ? applies to String and StringList only; with
// ? the string values are lower-cased (ASCII) in the Condition, so an adapter
// compares them with the lower-cased column. UUID and hash digits may be in
// either case; hash fragments are lower-cased. A time is RFC 3339 with or
// without a fraction of a second (2024-05-01T12:00:00Z,
// 2024-05-01T14:00:00.123456+02:00), or an integer count of milliseconds
// since the Unix epoch; either way it must fall within the years 0000-9999
// UTC. Enum values match exactly (no ?). A request carries at most 1000
// values in all (an in-list counts each item).
//
// # Semantics
//
// Strings (String, Enum, StringList elements and hash text) compare byte by
// byte, as SQLite's BINARY collation and PostgreSQL's "C" collation do; :, ^
// and $ take the operand literally (no wildcards: an adapter escapes % and _
// in LIKE, or uses instr). UUIDs and hashes order by their bytes, which is
// the order of their lower-case text. Times compare as instants, false sorts
// before true.
//
// NULL (a field without a value) satisfies no condition on a scalar field,
// whether negated or not: status=!x does not match a row whose status is
// NULL. This is SQL's rule for WHERE NOT (col = ?). A string list that is
// NULL is empty. A condition on a string list holds when at least one element
// matches; negated, it holds when no element matches (so a negated condition
// holds for an empty list): SQL's EXISTS and NOT EXISTS.
//
// In a sort, NULL comes before every value ascending and after every value
// descending, as in SQLite; a PostgreSQL adapter writes NULLS FIRST for
// ascending and NULLS LAST for descending keys.
package query
