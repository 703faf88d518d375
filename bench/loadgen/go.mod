module meg/bench/loadgen

go 1.22
