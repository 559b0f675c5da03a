module tamix/user/gotest

go 1.26.0
