package box_test

import (
	"crypto/rand"
	"fmt"
	"log"

	"tinnhiem/ballot/box"
)

// Example runs an encrypted vote of three trustees (any two can count), three voters and two cadres rated on three
// levels: the ceremony, the ballots, the sums, two partial decryptions (trustee 3 stays away) and the result.
func Example() {
	const session, n, t = "2026-11-22-hoi-nghi", 3, 2
	var secrets []*box.TrusteeSecret
	var round1 []*box.Round1
	for i := 1; i <= n; i++ { // on each trustee's machine
		ts, r1, err := box.NewTrustee(rand.Reader, session, n, t, i)
		if err != nil {
			log.Fatal(err)
		}
		secrets, round1 = append(secrets, ts), append(round1, r1)
	}
	var round2 []*box.Round2
	for _, ts := range secrets {
		r2, err := ts.Round2(round1)
		if err != nil {
			log.Fatal(err)
		}
		round2 = append(round2, r2)
	}
	var complaints []*box.Complaint
	for _, ts := range secrets {
		cs, err := ts.CheckShares(rand.Reader, round1, round2)
		if err != nil {
			log.Fatal(err)
		}
		complaints = append(complaints, cs...)
	}
	ceremony, err := box.Qualify(session, n, t, round1, round2, complaints) // anyone can recompute this
	if err != nil {
		log.Fatal(err)
	}
	p := &box.Params{Session: session, JointKey: ceremony.JointKey, Lines: 2, Options: 3}

	codes := []string{"ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567", "MZXW-6YTB-OI6Q-2AAA-BBBB-CCCC-DDDD-EEEE", "QQQQ-RRRR-SSSS-TTTT-UUUU-VVVV-WWWW-XXXX"}
	choices := [][]int{{1, 3}, {1, 0}, {2, 3}} // 0: no mark (invalid for that cadre)
	var ballots []*box.Ballot
	for v, code := range codes { // on each voter's phone
		card, err := box.CardKey(session, code)
		if err != nil {
			log.Fatal(err)
		}
		b, _, err := box.EncryptBallot(rand.Reader, p, card, choices[v])
		if err != nil {
			log.Fatal(err)
		}
		ballots = append(ballots, b)
	}
	if err := box.VerifyBallots(rand.Reader, p, ballots, false); err != nil { // the server, at close
		log.Fatal(err)
	}
	tally, err := box.Sum(p, ballots)
	if err != nil {
		log.Fatal(err)
	}
	var partials []*box.Partial
	for _, ts := range secrets[:2] { // trustees 1 and 2, each on its own machine
		key, err := ts.DecryptionKey(round1, round2, ceremony)
		if err != nil {
			log.Fatal(err)
		}
		part, err := box.PartialDecrypt(rand.Reader, p, key, tally)
		if err != nil {
			log.Fatal(err)
		}
		partials = append(partials, part)
	}
	res, bad, err := box.Combine(p, ceremony, tally, partials)
	if err != nil || len(bad) > 0 {
		log.Fatal(err, bad)
	}
	for k, line := range res.Lines {
		fmt.Printf("cadre %d: high %d, normal %d, low %d, invalid %d\n", k+1, line.Counts[0], line.Counts[1], line.Counts[2], line.Invalid)
	}
	// Output:
	// cadre 1: high 2, normal 1, low 0, invalid 0
	// cadre 2: high 0, normal 0, low 2, invalid 1
}
