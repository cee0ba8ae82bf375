// verify::compare: what passes the project tolerance and, above all, what must fail it.
#include <catch2/catch.hpp>
#include <cmath>

#include "ir/diagnostics.h"
#include "verify/compare.h"

using Catch::Matchers::Contains;
using ir::Tensor;

TEST_CASE("identical tensors and errors inside the tolerance pass") {
  Tensor ref{{2, 3}, {1, -2, 3, 0.5f, 0, 100}};
  verify::Comparison same = verify::compare("x", ref, ref, false);
  CHECK(same.ok);
  CHECK(same.max_abs == 0);
  CHECK(same.cosine == Approx(1.0));
  CHECK(same.outside == 0);
  CHECK(same.count == 6);

  Tensor y = ref;
  y.data[5] += 0.09f;  // 1e-3 + 1e-3*100 = 0.101 allowed
  y.data[4] += 0.0009f;
  verify::Comparison near = verify::compare("x", y, ref, false);
  CHECK(near.ok);
  CHECK(near.max_abs == Approx(0.09).epsilon(1e-4));
  CHECK(near.max_rel == Approx(0.9).epsilon(1e-3));  // 0.0009 / max(|0|, 1e-3)
}

TEST_CASE("one element outside the tolerance fails") {
  Tensor ref{{1, 4}, {1, 2, 3, 4}};
  Tensor y = ref;
  y.data[2] = 3.0045f;  // allowed 0.004
  verify::Comparison c = verify::compare("x", y, ref, false);
  CHECK_FALSE(c.ok);
  CHECK(c.outside == 1);
  CHECK(c.max_abs == Approx(0.0045).epsilon(1e-3));
  CHECK(c.max_rel == Approx(0.0015).epsilon(1e-3));
}

TEST_CASE("small values of the wrong sign fail on cosine although every element is within atol") {
  Tensor ref{{2, 3}, {1, 2, 3, 1e-4f, -2e-4f, 3e-4f}};
  Tensor y = ref;
  for (int i = 3; i < 6; i++) y.data[size_t(i)] = -y.data[size_t(i)];
  verify::Comparison c = verify::compare("x", y, ref, false);
  CHECK(c.outside == 0);
  CHECK(c.cosine == Approx(-1.0));  // the worst sample
  CHECK_FALSE(c.ok);
}

TEST_CASE("NaN and Inf fail") {
  Tensor ref{{1, 3}, {1, 2, 3}};
  Tensor y = ref;
  y.data[1] = NAN;
  verify::Comparison c = verify::compare("x", y, ref, true);
  CHECK_FALSE(c.ok);
  CHECK(c.outside == 1);
  CHECK(std::isinf(c.max_abs));
  y.data[1] = INFINITY;
  CHECK_FALSE(verify::compare("x", y, ref, false).ok);
}

TEST_CASE("logits: a flipped top-1 fails even within the element tolerance") {
  Tensor ref{{2, 6}, {1, 1.0005f, 0, 0, 0, -1, 5, 4, 3, 2, 1, 0}};
  Tensor y = ref;
  y.data[0] = 1.0006f;  // within 1e-3 + 1e-3*1, but now class 0 beats class 1
  verify::Comparison c = verify::compare("logits", y, ref, true);
  CHECK(c.outside == 0);
  CHECK(c.cosine > 0.99999);
  CHECK(c.logits);
  CHECK(c.samples == 2);
  CHECK(c.top1_agree == 1);
  CHECK(c.top5_agree == 2);  // same five classes, other order
  CHECK_FALSE(c.ok);

  Tensor z = ref;
  z.data[11] = 3.5f;  // sample 1: class 5 enters the top five, class 4 leaves
  verify::Comparison d = verify::compare("logits", z, ref, true, {10, 10, 0.9});
  CHECK(d.top1_agree == 2);
  CHECK(d.top5_agree == 1);
  CHECK(d.ok);  // top-5 is reported, not required
}

TEST_CASE("shape mismatches and malformed logits are user errors naming the output") {
  Tensor a{{1, 4}, {1, 2, 3, 4}}, b{{2, 2}, {1, 2, 3, 4}};
  CHECK_THROWS_AS(verify::compare("features.3.0", a, b, false), ir::UserError);
  CHECK_THROWS_WITH(verify::compare("features.3.0", a, b, false),
                    Contains("features.3.0") && Contains("[1,4]") && Contains("[2,2]"));
  Tensor c{{1, 2, 2}, {1, 2, 3, 4}};
  CHECK_THROWS_WITH(verify::compare("logits", c, c, true), Contains("[batch, classes]"));
}
