package trust

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/modnet/modnet/internal/certmint"
)

func TestProbeWithHeader(t *testing.T) {
	t.Parallel()
	root := certmint.NewCA(t, "Probe Header Root")
	srv := certmint.TLSServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer s3cret-token" {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusOK)
	}), root.Leaf(t, []string{"127.0.0.1"}))
	pool := poolOf(t, root)

	var gotURL string
	header := func(ctx context.Context, u *url.URL) (http.Header, error) {
		gotURL = u.String()
		return http.Header{"Authorization": {"Bearer s3cret-token"}}, nil
	}
	tests := []struct {
		name   string
		opts   []Option
		status int
		kind   Kind
	}{
		{"without", []Option{WithPool(pool)}, http.StatusUnauthorized, KindHTTPStatus},
		{"with", []Option{WithPool(pool), WithHeader(header)}, http.StatusOK, ""},
		{"failing", []Option{WithPool(pool), WithHeader(func(context.Context, *url.URL) (http.Header, error) {
			return nil, errors.New("token helper failed")
		})}, 0, KindCredentials},
	}
	for _, tt := range tests {
		res := Probe(context.Background(), srv.URL+"/p", tt.opts...)
		var kind Kind
		if res.Error != nil {
			kind = res.Error.Kind
			if strings.Contains(res.Error.Error()+res.Error.Hint+res.Error.Message, "s3cret-token") {
				t.Errorf("%s: error reveals the header: %v", tt.name, res.Error)
			}
		}
		if res.StatusCode != tt.status || kind != tt.kind {
			t.Errorf("Probe %s: status %d kind %q, want %d %q", tt.name, res.StatusCode, kind, tt.status, tt.kind)
		}
	}
	if gotURL != srv.URL+"/p" {
		t.Errorf("header func called with %q, want %q", gotURL, srv.URL+"/p")
	}
}
