#include "schedules/autotuner/workload.h"

#include <algorithm>
#include <map>

#include "frontend/build_graph.h"
#include "ir/diagnostics.h"
#include "ir/ops.h"
#include "ir/passes/choose_tiling.h"
#include "ir/pipeline.h"
#include "schedules/autotuner/search_space.h"

namespace autotuner {

Workload collect_work(const std::vector<frontend::Spec>& specs, const schedules::TargetFacts& facts,
                      const std::string& match) {
  Workload w;
  std::map<std::string, TuneTask> by_key;
  for (const auto& spec : specs) {
    ir::Graph g = frontend::build_graph(spec);
    ir::PipelineOptions po;
    po.target = facts.name;
    ir::run_pipeline(g, nullptr, po);
    std::vector<codegen::Unit> units = codegen::split_units(g);
    size_t gi = w.graphs.size();
    for (size_t ui = 0; ui < units.size(); ui++) {
      const codegen::Unit& u = units[ui];
      const ir::Node& last = g.node(u.nodes.back());
      for (int id : u.nodes) {
        const ir::Node& n = g.node(id);
        if (search_space(g, n, schedules::node_schedule(g, n, facts)).empty()) continue;
        std::string key = ir::tuning_key(g, n);
        if (key.find(match) == std::string::npos) continue;
        w.tunable_nodes++;
        int64_t read = 0;
        for (int i : n.inputs) read += ir::numel(g.node(i).shape);
        double weight = double(std::max(ir::mac_count(g, n), read));
        if (by_key.count(key)) {
          by_key[key].weight += weight;
          continue;
        }
        std::string ref = last.get_str("ref", last.get_str("name", ""));
        by_key[key] = TuneTask{key, gi, id, ui, g.name + " unit " + std::to_string(ui) + " (" + ref + ")", weight};
      }
    }
    w.graphs.push_back(std::move(g));
    w.units.push_back(std::move(units));
  }
  for (auto& [key, task] : by_key) w.tasks.push_back(std::move(task));
  return w;
}

std::vector<TuneTask> shard_tasks(const std::vector<TuneTask>& tasks, int index, int count) {
  if (count < 1 || index < 0 || index >= count)
    throw ir::UserError("shard " + std::to_string(index) + "/" + std::to_string(count) +
                        ": expected i/n with 0 <= i < n");
  std::vector<TuneTask> out;
  for (size_t k = size_t(index); k < tasks.size(); k += size_t(count)) out.push_back(tasks[k]);
  return out;
}

}  // namespace autotuner
