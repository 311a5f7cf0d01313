# Stands in for pycuda.autoinit, whose import creates a CUDA context; the pre-initialized pool recognizes the
# module by its name (there is no GPU on the test machine to create a real context on).
