// MediaPipe's attention face mesh (face_landmark_with_attention.tflite, from
// @mediapipe/face_mesh) on a real face: the crop of the astronaut photo
// (Debian's python3-skimage, datasets/photos.lock) that MediaPipe's face
// detector would hand it.
//
// The model predicts a 468-point mesh first, then crops its own features
// around the lips, eyes and irises with Landmarks2TransformMatrix and
// TransformTensorBilinear, refines those regions and maps the refined points
// back with TransformLandmarks. The refined points are a second prediction
// of points the mesh already has: they can only fall onto the mesh if the
// three custom ops crop where the model was trained to look and map back
// exactly. That agreement, measured in pixels of the 192x192 input, is this
// test's check of the ops on a real model: correct ops give a median of
// 0.8-0.9 px and at most 2 px; turning the crop's rotation the wrong way
// already moves an eye point 6.7 px off (sub-pixel errors are left to the
// kernel tests against the ops' definitions).
//
// LiteRT.js, the official runtime the other TFLite models are checked
// against, runs these ops only on its WebGPU accelerator; its CPU path
// refuses the model ("unresolved custom op"). The test runs it anyway: a
// refusal is printed, and a LiteRT.js that runs the model is compared.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "adapters/devices/local_process.h"
#include "datasets/image_decode.h"
#include "datasets/npy.h"
#include "engine/session.h"
#include "harness/model_loader.h"
#include "tests/models/oracle_test_util.h"

namespace opscope {
namespace {

using namespace opscope::testing;  // NOLINT: test helpers

// The face in astronaut.png (512x512): a square of 1.5x the face's size
// around its centre, as MediaPipe enlarges a face detection for the mesh.
constexpr double kFaceX = 224, kFaceY = 120, kCropSize = 150;

// The model's 192x192 RGB input in [0, 1]: the face square, resampled
// bilinearly (pixel centres).
std::vector<float> face_input(const datasets::Image& image) {
  constexpr int kSide = 192;
  std::vector<float> out(static_cast<size_t>(kSide) * kSide * 3);
  const double step = kCropSize / kSide;
  const auto pixel = [&](int x, int y, int ch) -> double {
    x = std::clamp(x, 0, image.width - 1);
    y = std::clamp(y, 0, image.height - 1);
    return image.pixels[(static_cast<size_t>(y) * image.width + x) * image.channels + ch];
  };
  for (int oy = 0; oy < kSide; ++oy) {
    for (int ox = 0; ox < kSide; ++ox) {
      const double sx = kFaceX + (ox + 0.5 - kSide / 2.0) * step - 0.5;
      const double sy = kFaceY + (oy + 0.5 - kSide / 2.0) * step - 0.5;
      const int x0 = static_cast<int>(std::floor(sx)), y0 = static_cast<int>(std::floor(sy));
      const double fx = sx - x0, fy = sy - y0;
      for (int ch = 0; ch < 3; ++ch) {
        const double top = (1 - fx) * pixel(x0, y0, ch) + fx * pixel(x0 + 1, y0, ch);
        const double bottom = (1 - fx) * pixel(x0, y0 + 1, ch) + fx * pixel(x0 + 1, y0 + 1, ch);
        out[(static_cast<size_t>(oy) * kSide + ox) * 3 + ch] =
            static_cast<float>(((1 - fy) * top + fy * bottom) / 255.0);
      }
    }
  }
  return out;
}

struct Point {
  double x, y;
};

std::vector<Point> points(const float* v, size_t count, int stride) {
  std::vector<Point> p;
  for (size_t i = 0; i < count; ++i) p.push_back({v[i * stride], v[i * stride + 1]});
  return p;
}

// For each refined point, the distance to the nearest mesh point; the
// largest and the median of those.
struct Agreement {
  double max = 0, median = 0;
};
Agreement nearest_mesh_distance(const std::vector<Point>& refined,
                                const std::vector<Point>& mesh) {
  std::vector<double> d;
  for (const Point& r : refined) {
    double best = 1e300;
    for (const Point& m : mesh) best = std::min(best, std::hypot(r.x - m.x, r.y - m.y));
    d.push_back(best);
  }
  std::sort(d.begin(), d.end());
  return {d.back(), d[d.size() / 2]};
}

// The points' bounding box.
struct Box {
  double lo_x = 1e300, hi_x = -1e300, lo_y = 1e300, hi_y = -1e300;
};
Box box_of(const std::vector<Point>& p) {
  Box b;
  for (const Point& q : p) {
    b.lo_x = std::min(b.lo_x, q.x);
    b.hi_x = std::max(b.hi_x, q.x);
    b.lo_y = std::min(b.lo_y, q.y);
    b.hi_y = std::max(b.hi_y, q.y);
  }
  return b;
}

double spread(const std::vector<Point>& p) {
  const Box b = box_of(p);
  return std::max(b.hi_x - b.lo_x, b.hi_y - b.lo_y);
}

TEST(FaceMeshAttention, RefinedLandmarksFallOntoTheMeshOfARealFace) {
  const fs::path model = model_dir() / "face_landmark_with_attention.tflite";
  const fs::path photo =
      fs::path(env_or("OPSCOPE_PHOTO_DIR", env_or("HOME", "/root") + "/.cache/opscope/photos")) /
      "astronaut.png";
  if (!fs::exists(model) || !fs::exists(photo)) {
    if (oracle_required()) FAIL() << "missing " << model << " or " << photo;
    GTEST_SKIP() << "model or photo not installed";
  }
  auto loaded = harness::load_model(model.string());
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  auto image = datasets::decode_image(photo);
  ASSERT_TRUE(image.is_ok()) << image.status().to_string();
  ASSERT_GE(image->channels, 3);

  SessionOptions options;
  options.backends = {"xnnpack", "cpu"};
  auto s = Session::create(*loaded, options);
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  Session& session = **s;
  ASSERT_EQ(session.num_inputs(), 1);
  ASSERT_EQ(session.num_outputs(), 7);
  ASSERT_EQ(session.input_tensor(0).shape, (Shape{1, 192, 192, 3}));
  const std::vector<float> input = face_input(*image);
  std::memcpy(session.input_data(0), input.data(), input.size() * sizeof(float));
  ASSERT_TRUE(session.invoke().is_ok());

  const auto out = [&](int i) { return static_cast<const float*>(session.output_data(i)); };
  // Outputs: mesh 468x(x,y,z), lips 80x(x,y), left eye 71, right eye 71,
  // left iris 5, right iris 5, face flag (a logit).
  const std::vector<Point> mesh = points(out(0), 468, 3);
  const double face_score = 1 / (1 + std::exp(-double{out(6)[0]}));
  EXPECT_GT(face_score, 0.9) << "the mesh model does not see the face";
  EXPECT_GT(spread(mesh), 80.0);  // the face fills most of the 192-pixel crop

  const struct {
    const char* name;
    int output;
    size_t count;
    double min_spread;  // pixels: a collapsed (mis-mapped) region fails
  } regions[] = {{"lips", 1, 80, 20}, {"left eye", 2, 71, 15}, {"right eye", 3, 71, 15}};
  for (const auto& r : regions) {
    const std::vector<Point> refined = points(out(r.output), r.count, 2);
    const Agreement a = nearest_mesh_distance(refined, mesh);
    std::printf("[ facemesh ] %-10s %3zu refined points: nearest mesh point median %.2f px, "
                "max %.2f px; spread %.1f px\n",
                r.name, r.count, a.median, a.max, spread(refined));
    EXPECT_LT(a.median, 1.5) << r.name;
    EXPECT_LT(a.max, 3.5) << r.name;
    EXPECT_GT(spread(refined), r.min_spread) << r.name;
  }
  // Each iris centre lies inside its eye's refined contour's box.
  for (int side = 0; side < 2; ++side) {
    const std::vector<Point> eye = points(out(2 + side), 71, 2);
    const Point iris = points(out(4 + side), 5, 2)[0];
    const Box b = box_of(eye);
    EXPECT_TRUE(iris.x > b.lo_x && iris.x < b.hi_x && iris.y > b.lo_y && iris.y < b.hi_y)
        << "iris " << side << " at (" << iris.x << ", " << iris.y << ") outside its eye";
  }

  // LiteRT.js on the same input: compared when it runs the model.
  if (!fs::exists(node_dir() / "node_modules/@litertjs/core")) {
    if (oracle_required()) FAIL() << "missing LiteRT.js in " << node_dir();
    return;
  }
  const fs::path work = fresh_dir("opscope-facemesh", "attention");
  datasets::NpyArray in;
  in.dtype = DType::kF32;
  in.shape = session.input_tensor(0).shape;
  in.data.resize(session.input_tensor(0).bytes());
  std::memcpy(in.data.data(), session.input_data(0), in.data.size());
  ASSERT_TRUE(datasets::write_npy(work / "input_0.npy", in).is_ok());
  const fs::path err_file = work / "litert_stderr.txt";
  const std::string command =
      "node '" + (source_dir() / "tools/litert/run_litert.mjs").string() + "' --model '" +
      model.string() + "' --input '" + (work / "input_0.npy").string() + "' --out-dir '" +
      (work / "litert").string() + "' --node-dir '" + node_dir().string() + "' 2> '" +
      err_file.string() + "'";
  auto outcome = devices::run_local_process("/bin/sh", {"-c", command});
  ASSERT_TRUE(outcome.is_ok()) << outcome.status().to_string();
  ASSERT_FALSE(outcome->signaled);
  std::string err;
  {
    std::ifstream f(err_file);
    err.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  }
  if (outcome->exit_code != 0 &&
      err.find("unresolved custom op: Landmarks2TransformMatrix") != std::string::npos) {
    std::printf("[ litert   ] LiteRT.js refuses the model on CPU: unresolved custom op "
                "Landmarks2TransformMatrix; not compared\n");
    fs::remove_all(work);
    return;
  }
  ASSERT_EQ(outcome->exit_code, 0) << "run_litert.mjs failed:\n" << err;
  for (int i = 0; i < session.num_outputs(); ++i) {
    datasets::NpyArray ours;
    ours.dtype = DType::kF32;
    ours.shape = session.output_tensor(i).shape;
    ours.data.resize(session.output_tensor(i).bytes());
    std::memcpy(ours.data.data(), session.output_data(i), ours.data.size());
    const fs::path mine = work / ("ours_" + std::to_string(i) + ".npy");
    ASSERT_TRUE(datasets::write_npy(mine, ours).is_ok());
    expect_within_tolerance(mine, work / "litert" / ("output_" + std::to_string(i) + ".npy"),
                            "face_landmark_with_attention output " + std::to_string(i),
                            /*same_count_only=*/true);
  }
  fs::remove_all(work);
}

}  // namespace
}  // namespace opscope
