#include "ir/parser.h"

#include <cctype>
#include <charconv>

#include "ir/diagnostics.h"
#include "ir/ops.h"
#include "ir/printer.h"

namespace ir {
namespace {

enum class Tok { Ident, String, Int, Real, ValueRef, Punct, End };

struct Token {
  Tok kind = Tok::End;
  std::string text;  // identifier, decoded string, number spelling or punctuation
  int64_t int_value = 0;
  double real_value = 0;
  int line = 1, col = 1;
};

class Parser {
 public:
  Parser(const std::string& text, const std::string& source) : text_(text), source_(source) { advance(); }

  Graph parse() {
    Graph g;
    expect_keyword("graph");
    g.name = name("a graph name");
    expect_punct("{");
    while (!(tok_.kind == Tok::Ident && tok_.text == "return")) parse_node(g);
    advance();
    if (tok_.kind == Tok::ValueRef)
      for (g.outputs.push_back(defined_ref(g)); accept_punct(",");) g.outputs.push_back(defined_ref(g));
    expect_punct("}");
    if (tok_.kind != Tok::End) fail("end of input");
    return g;
  }

 private:
  // ---- lexer ----
  static bool ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
  static bool ident_char(char c) { return ident_start(c) || (c >= '0' && c <= '9') || c == '.'; }
  static bool number_char(char c) { return ident_char(c) || c == '+' || c == '-'; }

  char peek(size_t ahead = 0) const { return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0'; }

  void bump() {
    if (text_[pos_++] == '\n') {
      line_++;
      col_ = 1;
    } else {
      col_++;
    }
  }

  [[noreturn]] void lex_error(const std::string& expected, const std::string& got) const {
    throw UserError(source_ + ":" + std::to_string(line_) + ":" + std::to_string(col_) + ": expected " + expected +
                    ", got " + got);
  }

  void advance() {
    while (pos_ < text_.size() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r')) bump();
    tok_ = Token();
    tok_.line = line_;
    tok_.col = col_;
    if (pos_ >= text_.size()) return;
    char c = peek();
    if (ident_start(c)) {
      while (pos_ < text_.size() && ident_char(peek())) tok_.text += text_[pos_], bump();
      tok_.kind = Tok::Ident;
    } else if (c == '"') {
      lex_string();
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      lex_number();
    } else if (c == '%') {
      bump();
      if (!(peek() >= '0' && peek() <= '9')) lex_error("a node id after '%'", describe_char());
      lex_number();
      if (tok_.kind != Tok::Int || tok_.int_value > 1000000000)
        throw UserError(where(tok_) + ": expected a node id, got '%" + tok_.text + "'");
      tok_.kind = Tok::ValueRef;
    } else if (std::string("=(){}[],:@").find(c) != std::string::npos) {
      tok_.kind = Tok::Punct;
      tok_.text = c;
      bump();
    } else {
      lex_error("a token", describe_char());
    }
  }

  std::string describe_char() const {
    if (pos_ >= text_.size()) return "end of input";
    unsigned char c = peek();
    if (c < 0x20 || c >= 0x7f) return print_string(std::string(1, char(c)));
    return "'" + std::string(1, char(c)) + "'";
  }

  void lex_string() {
    bump();
    tok_.kind = Tok::String;
    for (;;) {
      if (pos_ >= text_.size() || peek() == '\n') lex_error("a closing '\"'", describe_char());
      char c = peek();
      bump();
      if (c == '"') return;
      if (c != '\\') {
        tok_.text += c;
        continue;
      }
      char e = peek();
      const std::string simple = "\"\\ntr", decoded = "\"\\\n\t\r";
      size_t k = simple.find(e);
      if (e != '\0' && k != std::string::npos) {
        tok_.text += decoded[k];
        bump();
      } else if (e == 'x' && isxdigit((unsigned char)peek(1)) && isxdigit((unsigned char)peek(2))) {
        tok_.text += char(std::stoi(text_.substr(pos_ + 1, 2), nullptr, 16));
        bump(), bump(), bump();
      } else {
        lex_error("an escape (\\\" \\\\ \\n \\t \\r \\xHH)", describe_char());
      }
    }
  }

  void lex_number() {
    size_t start = pos_;
    bump();
    while (pos_ < text_.size() && number_char(peek())) bump();
    tok_.text = text_.substr(start, pos_ - start);
    const char* b = tok_.text.data();
    const char* e = b + tok_.text.size();
    if (tok_.text.find_first_of(".eEin") == std::string::npos) {
      auto r = std::from_chars(b, e, tok_.int_value);
      if (r.ec == std::errc() && r.ptr == e) {
        tok_.kind = Tok::Int;
        return;
      }
    } else {
      auto r = std::from_chars(b, e, tok_.real_value);
      if (r.ec == std::errc() && r.ptr == e) {
        tok_.kind = Tok::Real;
        return;
      }
    }
    throw UserError(where(tok_) + ": expected a number, got '" + tok_.text + "'");
  }

  // ---- parser helpers ----
  std::string where(const Token& t) const {
    return source_ + ":" + std::to_string(t.line) + ":" + std::to_string(t.col);
  }

  static std::string describe(const Token& t) {
    switch (t.kind) {
      case Tok::Ident:
        return "'" + t.text + "'";
      case Tok::String:
        return "string " + print_string(t.text);
      case Tok::Int:
        return "integer " + t.text;
      case Tok::Real:
        return "real " + t.text;
      case Tok::ValueRef:
        return "'%" + t.text + "'";
      case Tok::Punct:
        return "'" + t.text + "'";
      case Tok::End:
        break;
    }
    return "end of input";
  }

  [[noreturn]] void fail(const std::string& expected) const { fail_at(tok_, expected, describe(tok_)); }
  [[noreturn]] void fail_at(const Token& t, const std::string& expected, const std::string& got) const {
    throw UserError(where(t) + ": expected " + expected + ", got " + got);
  }

  bool is_punct(const char* p) const { return tok_.kind == Tok::Punct && tok_.text == p; }
  bool accept_punct(const char* p) {
    if (!is_punct(p)) return false;
    advance();
    return true;
  }
  void expect_punct(const char* p) {
    if (!accept_punct(p)) fail(std::string("'") + p + "'");
  }
  void expect_keyword(const char* k) {
    if (tok_.kind != Tok::Ident || tok_.text != k) fail(std::string("'") + k + "'");
    advance();
  }

  std::string name(const std::string& what) {
    if (tok_.kind != Tok::Ident && tok_.kind != Tok::String) fail(what);
    std::string s = tok_.text;
    advance();
    return s;
  }

  int64_t integer(const std::string& what) {
    if (tok_.kind != Tok::Int) fail(what);
    int64_t v = tok_.int_value;
    advance();
    return v;
  }

  // `item (',' item)*`, possibly empty, then `close`.
  template <typename ParseItem>
  void list_until(const char* close, ParseItem item) {
    if (accept_punct(close)) return;
    for (item(); accept_punct(",");) item();
    expect_punct(close);
  }

  Dims dims() {
    Dims d;
    expect_punct("[");
    list_until("]", [&] { d.push_back(integer("an integer")); });
    return d;
  }

  int defined_ref(const Graph& g) {
    if (tok_.kind != Tok::ValueRef) fail("a node id ('%N')");
    int id = int(tok_.int_value);
    if (!g.find(id)) fail("a node defined above");
    advance();
    return id;
  }

  Attr attr_value() {
    Attr v;
    if (tok_.kind == Tok::Int) {
      v = tok_.int_value;
    } else if (tok_.kind == Tok::Real) {
      v = tok_.real_value;
    } else if (tok_.kind == Tok::Ident && (tok_.text == "inf" || tok_.text == "nan")) {
      std::from_chars(tok_.text.data(), tok_.text.data() + tok_.text.size(), tok_.real_value);
      v = tok_.real_value;
    } else if (tok_.kind == Tok::String) {
      v = tok_.text;
    } else if (is_punct("[")) {
      return dims();
    } else {
      fail("an attribute value (integer, real, string or [integers])");
    }
    advance();
    return v;
  }

  std::pair<std::string, Attr> attr(const Node& n) {
    Token key_tok = tok_;
    std::string key = name("an attribute name");
    if (n.has(key)) fail_at(key_tok, "a new attribute name", "'" + key + "' a second time");
    expect_punct("=");
    return {key, attr_value()};
  }

  Param param(const Node& n) {
    Param p;
    Token role_tok = tok_;
    p.role = name("a parameter role");
    if (n.param(p.role)) fail_at(role_tok, "a new parameter role", "'" + p.role + "' a second time");
    expect_punct("=");
    if (tok_.kind != Tok::String) fail("a quoted weight name");
    p.name = tok_.text;
    advance();
    expect_punct(":");
    p.shape = dims();
    if (accept_punct("@")) {
      if (tok_.kind == Tok::Int && tok_.int_value < 0) fail("a non-negative weight offset");
      p.offset = integer("a weight offset");
    }
    return p;
  }

  void parse_node(Graph& g) {
    if (tok_.kind != Tok::ValueRef) fail("a node ('%N = op(...)') or 'return'");
    Token id_tok = tok_;
    Node n;
    n.id = int(tok_.int_value);
    if (g.find(n.id)) fail("a new node id");
    advance();
    expect_punct("=");
    Token op_tok = tok_;
    n.op = name("an op name");
    if (!is_known_op(n.op)) fail_at(op_tok, "a known op (see ir/ops.h)", describe(op_tok));
    expect_punct("(");
    list_until(")", [&] { n.inputs.push_back(defined_ref(g)); });
    if (accept_punct("{")) list_until("}", [&] { n.attrs.push_back(attr(n)); });
    if (tok_.kind == Tok::Ident && tok_.text == "params") {
      advance();
      expect_punct("(");
      list_until(")", [&] { n.params.push_back(param(n)); });
    }
    expect_punct(":");
    Token shape_tok = tok_;
    n.shape = dims();
    check_shape(g, n, id_tok, shape_tok);
    g.nodes.push_back(std::move(n));
  }

  void check_shape(const Graph& g, const Node& n, const Token& id_tok, const Token& shape_tok) const {
    std::string node_name = "node %" + std::to_string(n.id) + " (" + n.op;
    if (auto s = n.find("name"); s && std::holds_alternative<std::string>(*s))
      node_name += " " + print_string(std::get<std::string>(*s));
    node_name += ")";
    Dims inferred;
    try {
      inferred = infer_shape(g, n);
    } catch (const std::runtime_error& e) {  // UserError, or InternalError for a missing attr; both name the node
      throw UserError(where(id_tok) + ": " + e.what());
    }
    if (inferred != n.shape)
      fail_at(shape_tok, node_name + " shape " + dims_str(inferred) + " (inferred)", dims_str(n.shape));
  }

  const std::string& text_;
  std::string source_;
  size_t pos_ = 0;
  int line_ = 1, col_ = 1;
  Token tok_;
};

}  // namespace

Graph parse_graph(const std::string& text, const std::string& source_name) { return Parser(text, source_name).parse(); }

}  // namespace ir
