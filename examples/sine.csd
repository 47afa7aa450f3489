<CsoundSynthesizer>
<CsOptions>
-d
</CsOptions>
<CsInstruments>
; A plain sine with a short envelope, two notes a fifth apart.
sr = 44100
ksmps = 32
nchnls = 2
0dbfs = 1

instr 1
  iamp = p4
  ifreq = cpspch(p5)
  aenv linen iamp, 0.05, p3, 0.2
  asig oscili aenv, ifreq
  outs asig, asig
endin
</CsInstruments>
<CsScore>
i 1 0 1.5 0.3 8.00
i 1 0.5 1.5 0.3 8.07
e
</CsScore>
</CsoundSynthesizer>
