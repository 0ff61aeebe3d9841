package hlsgen

import (
	"strconv"
	"strings"
)

// MaxIdentifier is the longest identifier Identifier returns, suffix
// included: well within every tool's limits, and short enough to read.
const MaxIdentifier = 48

// Identifier turns s (a model or layer name, anything a model file may
// hold) into a name that is legal and means nothing special in VHDL,
// Verilog, SystemVerilog and C++: lower-case ASCII letters, digits and
// single underscores, starting with a letter, not ending with an
// underscore, and not a reserved word of any of those languages. The
// result is also absent from taken, compared without case (VHDL ignores
// case), which Identifier then updates; a numeric suffix makes it unique.
// A nil taken map only sanitises.
func Identifier(s string, taken map[string]bool) string {
	// letters and digits; every other run of characters becomes one
	// underscore
	var b strings.Builder
	under := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			if under && b.Len() > 0 {
				b.WriteByte('_')
			}
			under = false
			b.WriteRune(r)
		default:
			under = true
		}
	}
	id := b.String()
	switch {
	case id == "":
		id = "x"
	case id[0] >= '0' && id[0] <= '9':
		id = "n" + id
	}
	if len(id) > MaxIdentifier-4 {
		id = strings.TrimRight(id[:MaxIdentifier-4], "_")
	}
	if Reserved(id) {
		id += "_x"
	}

	// unique without case: the sanitised name is lower case already
	if taken == nil {
		return id
	}
	name := id
	for k := 2; taken[name]; k++ {
		name = id + "_" + strconv.Itoa(k)
	}
	taken[name] = true
	return name
}

// Reserved reports whether s, compared without case, is a keyword of
// VHDL-2008, Verilog-2005, SystemVerilog or C++, or a name the generated
// code relies on (the standard libraries, the ports, the clock).
func Reserved(s string) bool {
	return reservedWords[strings.ToLower(s)]
}

// reservedWords lists, in lower case, the keywords of the languages
// kd2fpga prints and the names its generated files declare themselves.
var reservedWords = func() map[string]bool {
	lists := []string{
		// VHDL-2008
		`abs access after alias all and architecture array assert assume
		assume_guarantee attribute begin block body buffer bus case component
		configuration constant context cover default disconnect downto else
		elsif end entity exit fairness file for force function generate generic
		group guarded if impure in inertial inout is label library linkage
		literal loop map mod nand new next nor not null of on open or others
		out package parameter port postponed procedure process property
		protected pure range record register reject release rem report restrict
		restrict_guarantee return rol ror select sequence severity shared signal
		sla sll sra srl strong subtype then to transport type unaffected units
		until use variable vmode vprop vunit wait when while with xnor xor`,
		// Verilog-2005 and SystemVerilog
		`accept_on alias always always_comb always_ff always_latch and assert
		assign assume automatic before begin bind bins binsof bit break buf
		bufif0 bufif1 byte case casex casez cell chandle checker class clocking
		cmos config const constraint context continue cover covergroup
		coverpoint cross deassign default defparam design disable dist do edge
		else end endcase endchecker endclass endclocking endconfig endfunction
		endgenerate endgroup endinterface endmodule endpackage endprimitive
		endprogram endproperty endspecify endsequence endtable endtask enum
		event eventually expect export extends extern final first_match for
		force foreach forever fork forkjoin function generate genvar global
		highz0 highz1 if iff ifnone ignore_bins illegal_bins implements implies
		import incdir include initial inout input inside instance int integer
		interconnect interface intersect join join_any join_none large let
		liblist library local localparam logic longint macromodule matches
		medium modport module nand negedge nettype new nexttime nmos nor
		noshowcancelled not notif0 notif1 null or output package packed
		parameter pmos posedge primitive priority program property protected
		pull0 pull1 pulldown pullup pulsestyle_ondetect pulsestyle_onevent pure
		rand randc randcase randsequence rcmos real realtime ref reg reject_on
		release repeat restrict return rnmos rpmos rtran rtranif0 rtranif1
		s_always s_eventually s_nexttime s_until s_until_with scalared sequence
		shortint shortreal showcancelled signed small soft solve specify
		specparam static string strong strong0 strong1 struct super supply0
		supply1 sync_accept_on sync_reject_on table tagged task this throughout
		time timeprecision timeunit tran tranif0 tranif1 tri tri0 tri1 triand
		trior trireg type typedef union unique unique0 unsigned until
		until_with untyped use uwire var vectored virtual void wait wait_order
		wand weak weak0 weak1 while wildcard wire with within wor xnor xor`,
		// C++
		`alignas alignof and and_eq asm auto bitand bitor bool break case catch
		char char8_t char16_t char32_t class compl concept const consteval
		constexpr constinit const_cast continue co_await co_return co_yield
		decltype default delete do double dynamic_cast else enum explicit
		export extern false float for friend goto if inline int long mutable
		namespace new noexcept not not_eq nullptr operator or or_eq private
		protected public register reinterpret_cast requires return short
		signed sizeof static static_assert static_cast struct switch template
		this thread_local throw true try typedef typeid typename union
		unsigned using virtual void volatile wchar_t while xor xor_eq
		final override main std`,
		// libraries, types and the names of the generated files
		`ieee numeric_std std_logic_1164 std_logic std_logic_vector std_ulogic
		signed unsigned integer natural positive boolean work env
		resize to_integer to_unsigned to_signed rising_edge falling_edge
		clk rst in_valid in_data out_valid out_data valid
		ap_fixed ap_ufixed ap_int ap_uint hls kd2fpga`,
	}
	m := make(map[string]bool)
	for _, l := range lists {
		for _, w := range strings.Fields(l) {
			m[w] = true
		}
	}
	return m
}()

// CommentText makes s safe to print inside a comment of any of the
// generated languages: one line, printable ASCII, and no sequence that
// ends or starts a comment (*/, /*, //, --) or a line continuation.
func CommentText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < ' ' || r > '~' || r == '\\':
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	t := b.String()
	for _, bad := range []string{"*/", "/*", "//", "--"} {
		for strings.Contains(t, bad) {
			t = strings.ReplaceAll(t, bad, bad[:1]+" "+bad[1:])
		}
	}
	return strings.Join(strings.Fields(t), " ")
}
