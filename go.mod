module github.com/modnet/modnet

go 1.26.0

require (
	github.com/jdxcode/netrc v1.0.0 // indirect
	golang.org/x/mod v0.42.0 // indirect
	golang.org/x/net v0.62.0 // indirect
)
