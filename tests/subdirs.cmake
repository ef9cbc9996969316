add_subdirectory(datasets)
add_subdirectory(models)
add_subdirectory(cli)
add_subdirectory(engine/backends)
