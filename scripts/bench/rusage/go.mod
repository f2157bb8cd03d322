module bulwark.local/bench/rusage

go 1.22
