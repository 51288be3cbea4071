package modfetch

import (
	"context"
	"errors"

	"github.com/modnet/modnet/proxyenv"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
)

// A VersionList is what [Fetcher.Versions] found out about a module.
type VersionList struct {
	Path string
	// Latest is the version "latest" resolves to.
	Latest string
	// Versions are the module's tagged versions, sorted, without the
	// retracted ones: what "go list -m -versions" prints.
	Versions []string
	// Retracted are the listed versions that the module retracts, sorted,
	// with the rationale its go.mod gives ("go list -m -retracted
	// -versions" lists them too).
	Retracted []Retraction `json:",omitempty"`
	// Deprecated is the module's deprecation message, from the go.mod of
	// its latest version (ignoring retractions), or "" (what
	// "go list -m -u" reports).
	Deprecated string `json:",omitempty"`
}

// A Retraction is a retracted version and the reason its module gives.
type Retraction struct {
	Version   string
	Rationale string `json:",omitempty"`
}

// Versions lists the versions of a module like
// "go list -m -versions path@latest": it resolves latest, lists the
// tagged versions from the first proxy of the route that answers, and
// reads the retractions and the deprecation notice from the go.mod of the
// newest version (ignoring retractions), with the go command's requests.
// The error is a *module.ModuleError in the go command's words.
func (f *Fetcher) Versions(ctx context.Context, modulePath string) (*VersionList, error) {
	route, err := f.Client.Route(modulePath)
	if err != nil {
		var pe *proxyenv.ProxyListError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, moduleErr(modulePath, "latest", err)
	}
	if err := module.CheckPath(route.Module); err != nil {
		return nil, moduleErr(modulePath, "latest", err)
	}
	q := f.queryRunFor(route)
	q.mu.Lock()
	defer q.mu.Unlock()
	// The go command resolves the argument path@latest first.
	r, err := q.resolve(ctx, &versionQuery{query: "latest", mayUseLatest: true})
	if err != nil {
		return nil, moduleErr(modulePath, "latest", err)
	}
	// Like the go command, read the go.mod of the version listed (its
	// errors do not stop the listing).
	if r.goMod == nil {
		r.goMod = q.goMod(ctx, r.version)
	}
	var list []string
	err = proxyenv.Walk(ctx, route, func(ctx context.Context, s proxyenv.Step) error {
		l, err := q.source(s).versions(ctx, "")
		list = l
		return err
	})
	if err != nil {
		return nil, moduleErr(modulePath, "", err)
	}
	vl := &VersionList{Path: modulePath, Latest: r.version}
	var gm *modfile.File
	for _, v := range list {
		if !q.retracted(ctx, v) {
			vl.Versions = append(vl.Versions, v)
			continue
		}
		if gm == nil {
			gm, _ = modfile.ParseLax("go.mod", q.latestGoMod, nil)
		}
		vl.Retracted = append(vl.Retracted, Retraction{Version: v, Rationale: rationale(gm, v)})
	}
	if q.latestGoMod != nil {
		if gm == nil {
			gm, _ = modfile.ParseLax("go.mod", q.latestGoMod, nil)
		}
		if gm != nil && gm.Module != nil {
			vl.Deprecated = gm.Module.Deprecated
		}
	}
	return vl, nil
}

// rationale returns the rationale of the first retraction in gm covering
// v.
func rationale(gm *modfile.File, v string) string {
	if gm == nil {
		return ""
	}
	for _, r := range gm.Retract {
		if semver.Compare(r.Low, v) <= 0 && semver.Compare(v, r.High) <= 0 {
			return r.Rationale
		}
	}
	return ""
}
