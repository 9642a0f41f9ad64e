package classify_test
import ("testing";"os";"strings";"github.com/bouncekit/bouncekit/bounce";"github.com/bouncekit/bouncekit/classify")
func TestDbgBatch(t *testing.T){
 b,_:=os.ReadFile("/tmp/batch.txt")
 for _, l := range strings.Split(strings.TrimSpace(string(b)),"\n") {
  r,err:=bounce.ParseReply(l); if err!=nil {t.Logf("ERR %q",l); continue}
  v:=classify.Default().Classify(&r, classify.Context{})
  t.Logf("%-18s %-4s %-5v %-34s | %.110s", v.Category, v.Severity, v.Suppress, v.Rule, l)
 }
}
