// PassLog: what each pass did, one line per rewrite, in the order they happened
// ("fuse_residual: %57 add -> %55 conv2d \"features.2.1.block.3.0\""). The pipeline
// collects it; `effnetc inspect --log-passes` prints it.
#pragma once

#include <string>
#include <vector>

namespace ir {

struct PassLog {
  std::vector<std::string> lines;
  void add(const std::string& pass, const std::string& what) { lines.push_back(pass + ": " + what); }
};

}  // namespace ir
