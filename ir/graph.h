// ir::Graph — the network as a list of single-output nodes in topological order.
// A value is named by the id of the node that produces it. Shapes are per sample
// (batch is a run-time argument): [C, H, W] for feature maps, [F] for vectors.
// Op-specific data lives in an ordered attribute list, so passes can add facts
// (fusion, layout, schedule params) without changing the printer or parser.
// Parameters name tensors in a WeightMap (frontend/weights.h) by their torchvision key.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace ir {

using Dims = std::vector<int64_t>;

// An attribute value: integer, real, string or integer list.
using Attr = std::variant<int64_t, double, std::string, Dims>;

struct Param {
  std::string role;  // "weight", "bias", "fc1.weight", ... (op-specific)
  std::string name;  // key in the WeightMap
  Dims shape;
  int64_t offset = -1;  // position in the packed weight blob, in floats; -1 until packed
};

struct Node {
  int id = -1;
  std::string op;           // see ir/ops.h for the known ops
  std::vector<int> inputs;  // ids of producing nodes
  std::vector<std::pair<std::string, Attr>> attrs;
  std::vector<Param> params;
  Dims shape;  // inferred output shape, per sample

  bool has(const std::string& key) const;
  const Attr* find(const std::string& key) const;
  int64_t get_int(const std::string& key) const;  // throws InternalError if absent/mistyped
  int64_t get_int(const std::string& key, int64_t fallback) const;
  double get_real(const std::string& key) const;  // an integer attr reads as a real
  double get_real(const std::string& key, double fallback) const;
  std::string get_str(const std::string& key) const;
  std::string get_str(const std::string& key, const std::string& fallback) const;
  Dims get_dims(const std::string& key) const;
  void set(const std::string& key, Attr value);  // replaces in place or appends
  void erase(const std::string& key);
  const Param* param(const std::string& role) const;
};

struct Graph {
  std::string name;
  std::vector<Node> nodes;  // topological order; nodes[i].id need not equal i after passes
  std::vector<int> outputs;

  Node& add(std::string op, std::vector<int> inputs);  // assigns the next free id
  const Node& node(int id) const;                      // throws InternalError if unknown
  Node& node(int id);
  const Node* find(int id) const;
  std::vector<int> consumers(int id) const;  // ids of nodes reading `id`
  bool is_output(int id) const;
  int next_id() const;
};

// An internal invariant broke: a bug in effnetc, never the user's input.
struct InternalError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string dims_str(const Dims& d);  // "[32,112,112]"
int64_t numel(const Dims& d);

}  // namespace ir
