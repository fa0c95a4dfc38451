set terminal pngcairo size 1200,750
set output 'bench/results/lutnet-shrink/shrink.png'
set title 'MNIST LUTNet: logic shrinkage against narrower networks (seed 1)'
set xlabel 'LUTs after synth -lut 6, without the input encoder'
set ylabel 'test accuracy (%)'
set key bottom right
set grid
set offsets graph 0.05, graph 0.05, graph 0.1, graph 0.1
set object 1 rect from graph 0, first 96.45 to first 10998, graph 1 fc rgb '#d0f0d0' fs solid 0.5 noborder behind
set label 'target: >= 96.45% (mnist-lutnet - 0.2) with <= 10,998 LUTs (mnist-lutnet / 1.5)' at graph 0.02, graph 0.96 tc rgb 'gray30'
plot 'bench/results/lutnet-shrink/shrink.dat' index 0 using 3:2 with linespoints pt 7 ps 1.3 lc rgb '#333333' title 'LUTNet, fewer hidden neurons, no shrinkage', \
     'bench/results/lutnet-shrink/shrink.dat' index 1 using 3:2 with points pt 9 ps 1.6 lc rgb '#009e73' title '256 neurons, LUTs cut to their most salient input', \
     'bench/results/lutnet-shrink/shrink.dat' index 2 using 3:2 with points pt 5 ps 1.6 lc rgb '#56b4e9' title '256 neurons, LUTs cut to constants', \
     'bench/results/lutnet-shrink/shrink.dat' index 3 using 3:2 with points pt 13 ps 1.6 lc rgb '#e69f00' title '256 neurons, inputs dropped across the layer', \
     'bench/results/lutnet-shrink/shrink.dat' index 4 using 3:2 with points pt 11 ps 1.6 lc rgb '#c0392b' title '256 neurons, LUTs cut to one input that they learn', \
     'bench/results/lutnet-shrink/shrink.dat' using 3:($5 == 1 ? $2 : NaN):1 with labels offset 0,1 font ',9' notitle, \
     'bench/results/lutnet-shrink/shrink.dat' using 3:($5 == -1 ? $2 : NaN):1 with labels offset 0,-1 font ',9' notitle
