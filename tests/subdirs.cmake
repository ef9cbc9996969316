add_subdirectory(datasets)
add_subdirectory(models)
add_subdirectory(cli)
