# Runs a libFuzzer target for a fixed time on a fresh seed corpus: the real
# models found in MODEL_DIR plus synthetic seeds from SEED_WRITER.
#   cmake -DFUZZER=... -DSEED_WRITER=... -DMODEL_DIR=... -DWORK_DIR=...
#         -DSECONDS=60 -P run_fuzz_smoke.cmake
# Fails if the fuzzer reports a crash, leak, timeout or sanitizer error.
set(seeds ${WORK_DIR}/seeds)
set(corpus ${WORK_DIR}/corpus)
file(REMOVE_RECURSE ${seeds})
file(MAKE_DIRECTORY ${seeds} ${corpus})

file(GLOB real_models ${MODEL_DIR}/*.tflite)
list(LENGTH real_models num_real)
if(real_models)
  file(COPY ${real_models} DESTINATION ${seeds})
endif()
execute_process(COMMAND ${SEED_WRITER} ${seeds} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "seed writer failed: ${rc}")
endif()
message(STATUS "seed corpus: ${num_real} real model(s) from ${MODEL_DIR} + synthetic seeds")

# New inputs go to `corpus`, which persists between runs of the test;
# the seeds are read-only input. Real models are larger than libFuzzer's
# default length cap, so allow them whole.
execute_process(
  COMMAND ${FUZZER} ${corpus} ${seeds}
          -max_total_time=${SECONDS} -max_len=6000000 -timeout=10
          -rss_limit_mb=4096 -print_final_stats=1
          -artifact_prefix=${WORK_DIR}/
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "fuzzer failed (${rc}); see the crash artifact in ${WORK_DIR}")
endif()
