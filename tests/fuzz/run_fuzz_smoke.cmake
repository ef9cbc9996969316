# Runs a libFuzzer target for a fixed time on a fresh seed corpus: the real
# models matching SEED_GLOBS (a ;-list; files over 6 MB are left out) plus,
# when SEED_WRITER is given, the synthetic seeds it writes.
#   cmake -DFUZZER=... [-DSEED_WRITER=...] -DSEED_GLOBS=... -DWORK_DIR=...
#         -DSECONDS=60 -P run_fuzz_smoke.cmake
# Fails if the fuzzer reports a crash, leak, timeout or sanitizer error.
set(seeds ${WORK_DIR}/seeds)
set(corpus ${WORK_DIR}/corpus)
set(max_len 6000000)
file(REMOVE_RECURSE ${seeds})
file(MAKE_DIRECTORY ${seeds} ${corpus})

set(num_real 0)
foreach(glob ${SEED_GLOBS})
  file(GLOB files ${glob})
  foreach(f ${files})
    file(SIZE ${f} size)
    if(size GREATER max_len)
      continue()
    endif()
    # Node-test models all share the name model.onnx: keep them apart.
    string(MD5 tag ${f})
    get_filename_component(name ${f} NAME)
    file(COPY_FILE ${f} ${seeds}/${tag}_${name})
    math(EXPR num_real "${num_real} + 1")
  endforeach()
endforeach()
if(SEED_WRITER)
  execute_process(COMMAND ${SEED_WRITER} ${seeds} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "seed writer failed: ${rc}")
  endif()
endif()
message(STATUS "seed corpus: ${num_real} real model(s) + synthetic seeds")

# New inputs go to `corpus`, which persists between runs of the test;
# the seeds are read-only input. Real models are larger than libFuzzer's
# default length cap, so allow them whole.
execute_process(
  COMMAND ${FUZZER} ${corpus} ${seeds}
          -max_total_time=${SECONDS} -max_len=${max_len} -timeout=10
          -rss_limit_mb=4096 -print_final_stats=1
          -artifact_prefix=${WORK_DIR}/
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "fuzzer failed (${rc}); see the crash artifact in ${WORK_DIR}")
endif()
