// Package proxyenv resolves the go environment the way the go command does
// and turns it into routes and HTTP clients for reaching module servers.
package proxyenv
