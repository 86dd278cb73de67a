// Same-run anchor of `npm run bench -- perfect`: LEMON's matching algorithms on the edge CSV that
// `matchflow solve` reads (a header naming left, right and score; other columns ignored).
//
//   lemon_matching weighted FILE     MaxWeightedMatching (Edmonds' blossom with heaps, fractional start)
//   lemon_matching cardinality FILE  MaxMatching (Edmonds, maximum cardinality)
//   add --bipartite to read left and right as two sides (the same name on both sides is two nodes)
//   add --runs N to solve N times and report the fastest (the result is the same every time)
//
// Like `matchflow solve`, nodes are numbered in order of first appearance and a pair listed twice
// keeps its highest score. Prints one JSON line; solveSeconds times run() alone, as the bench does
// for matchflow. Build: g++ -O2 -std=c++17 lemon_matching.cpp -o lemon_matching
#include <lemon/matching.h>
#include <lemon/smart_graph.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

using Graph = lemon::SmartGraph;

static std::vector<std::string> splitCsv(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); i++) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') cur += '"', i++;
      else if (c == '"') quoted = false;
      else cur += c;
    } else if (c == '"') quoted = true;
    else if (c == ',') out.push_back(cur), cur.clear();
    else if (c != '\r') cur += c;
  }
  out.push_back(cur);
  for (auto& f : out) {
    size_t a = f.find_first_not_of(" \t"), b = f.find_last_not_of(" \t");
    f = a == std::string::npos ? "" : f.substr(a, b - a + 1);
  }
  return out;
}

static double seconds(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

int main(int argc, char** argv) {
  std::string mode, file;
  bool bipartite = false;
  int runs = 1;
  for (int i = 1; i < argc; i++) {
    if (!std::strcmp(argv[i], "--bipartite")) bipartite = true;
    else if (!std::strcmp(argv[i], "--runs") && i + 1 < argc) runs = std::max(1, std::atoi(argv[++i]));
    else if (mode.empty()) mode = argv[i];
    else file = argv[i];
  }
  if ((mode != "weighted" && mode != "cardinality") || file.empty()) {
    std::fprintf(stderr, "usage: lemon_matching weighted|cardinality [--bipartite] [--runs N] FILE\n");
    return 2;
  }
  auto t0 = std::chrono::steady_clock::now();
  std::ifstream in(file);
  if (!in) {
    std::fprintf(stderr, "lemon_matching: cannot open %s\n", file.c_str());
    return 1;
  }
  std::string line;
  int cl = -1, cr = -1, cs = -1;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto h = splitCsv(line);
    for (size_t i = 0; i < h.size(); i++) {
      std::string n = h[i];
      for (auto& ch : n) ch = std::tolower(ch);
      if (n == "left") cl = i;
      if (n == "right") cr = i;
      if (n == "score") cs = i;
    }
    break;
  }
  if (cl < 0 || cr < 0 || cs < 0) {
    std::fprintf(stderr, "lemon_matching: the header must name left, right and score\n");
    return 1;
  }
  std::unordered_map<std::string, int> leftIds, rightIdsOwn;
  std::unordered_map<std::string, int>& rightIds = bipartite ? rightIdsOwn : leftIds;
  std::vector<int> el, er;
  std::vector<double> ew;
  std::unordered_map<unsigned long long, int> pairIndex;
  auto idOf = [](std::unordered_map<std::string, int>& ids, const std::string& name) {
    auto it = ids.find(name);
    if (it != ids.end()) return it->second;
    int id = ids.size();
    ids.emplace(name, id);
    return id;
  };
  while (std::getline(in, line)) {
    if (line.empty() || line == "\r") continue;
    auto f = splitCsv(line);
    int a = idOf(leftIds, f[cl]);
    int b = idOf(rightIds, f[cr]);
    double w = std::strtod(f[cs].c_str(), nullptr);
    if (!bipartite && a == b) {
      std::fprintf(stderr, "lemon_matching: self-loop on '%s'\n", f[cl].c_str());
      return 1;
    }
    unsigned long long lo = bipartite ? a : std::min(a, b), hi = bipartite ? b : std::max(a, b);
    auto key = (lo << 32) | hi;
    auto it = pairIndex.find(key);
    if (it != pairIndex.end()) {
      if (w > ew[it->second]) ew[it->second] = w;
      continue;
    }
    pairIndex.emplace(key, el.size());
    el.push_back(a);
    er.push_back(b);
    ew.push_back(w);
  }
  int nLeft = leftIds.size();
  int n = bipartite ? nLeft + (int)rightIdsOwn.size() : nLeft;
  Graph g;
  g.reserveNode(n);
  g.reserveEdge(el.size());
  std::vector<Graph::Node> nodes(n);
  for (int i = 0; i < n; i++) nodes[i] = g.addNode();
  Graph::EdgeMap<double> weight(g);
  for (size_t k = 0; k < el.size(); k++) {
    Graph::Edge e = g.addEdge(nodes[el[k]], nodes[bipartite ? nLeft + er[k] : er[k]]);
    weight[e] = ew[k];
  }
  double readSeconds = seconds(t0);

  int pairs = 0;
  double total = 0, solveSeconds = 1e300;
  for (int r = 0; r < runs; r++) {
    pairs = 0, total = 0;
    if (mode == "weighted") {
      auto t1 = std::chrono::steady_clock::now();
      lemon::MaxWeightedMatching<Graph, Graph::EdgeMap<double>> mwm(g, weight);
      mwm.run();
      solveSeconds = std::min(solveSeconds, seconds(t1));
      // Like matchflow, report only the pairs that add to the total (score > 0).
      for (Graph::EdgeIt e(g); e != lemon::INVALID; ++e) {
        if (mwm.matching(e) && weight[e] > 0) pairs++, total += weight[e];
      }
    } else {
      auto t1 = std::chrono::steady_clock::now();
      lemon::MaxMatching<Graph> mm(g);
      mm.run();
      solveSeconds = std::min(solveSeconds, seconds(t1));
      for (Graph::EdgeIt e(g); e != lemon::INVALID; ++e) {
        if (mm.matching(e)) pairs++, total += weight[e];
      }
    }
  }
  std::printf("{\"nodes\":%d,\"edges\":%zu,\"pairs\":%d,\"total\":%.10f,\"readSeconds\":%.6f,\"solveSeconds\":%.6f}\n",
              n, el.size(), pairs, total, readSeconds, solveSeconds);
  return 0;
}
