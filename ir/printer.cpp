#include "ir/printer.h"

#include <charconv>
#include <cstdio>

namespace ir {
namespace {

bool is_ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_ident_char(char c) { return is_ident_start(c) || (c >= '0' && c <= '9') || c == '.'; }

std::string print_attr(const Attr& a) {
  if (auto i = std::get_if<int64_t>(&a)) return std::to_string(*i);
  if (auto r = std::get_if<double>(&a)) return print_real(*r);
  if (auto s = std::get_if<std::string>(&a)) return print_string(*s);
  return dims_str(std::get<Dims>(a));
}

}  // namespace

std::string print_real(double v) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  std::string s(buf, res.ptr);
  if (s.find_first_of(".ein") == std::string::npos) s += ".0";  // "inf"/"nan" contain 'n'
  return s;
}

std::string print_string(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char hex[8];
          std::snprintf(hex, sizeof hex, "\\x%02x", c);
          out += hex;
        } else {
          out += char(c);
        }
    }
  }
  return out + "\"";
}

std::string print_name(const std::string& s) {
  bool ident = !s.empty() && is_ident_start(s[0]);
  for (char c : s) ident = ident && is_ident_char(c);
  return ident ? s : print_string(s);
}

std::string print_graph(const Graph& g) {
  std::string out = "graph " + print_name(g.name) + " {\n";
  for (const Node& n : g.nodes) {
    out += "  %" + std::to_string(n.id) + " = " + print_name(n.op) + "(";
    for (size_t i = 0; i < n.inputs.size(); i++) out += (i ? ", %" : "%") + std::to_string(n.inputs[i]);
    out += ")";
    if (!n.attrs.empty()) {
      out += " {";
      for (size_t i = 0; i < n.attrs.size(); i++)
        out += (i ? ", " : "") + print_name(n.attrs[i].first) + "=" + print_attr(n.attrs[i].second);
      out += "}";
    }
    if (!n.params.empty()) {
      out += " params(";
      for (size_t i = 0; i < n.params.size(); i++) {
        const Param& p = n.params[i];
        out += (i ? ", " : "") + print_name(p.role) + "=" + print_string(p.name) + ":" + dims_str(p.shape);
        if (p.offset >= 0) out += "@" + std::to_string(p.offset);
      }
      out += ")";
    }
    out += " : " + dims_str(n.shape) + "\n";
  }
  out += "  return";
  for (size_t i = 0; i < g.outputs.size(); i++) out += (i ? ", %" : " %") + std::to_string(g.outputs[i]);
  return out + "\n}\n";
}

}  // namespace ir
