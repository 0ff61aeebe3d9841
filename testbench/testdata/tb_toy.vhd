-- tb_toy.vhd: self-checking VHDL-2008 testbench of toy, written by kd2fpga.
--
-- It reads one input vector per line of INPUT_FILE, applies one every II
-- cycles, compares every bit of each output with the same line of
-- EXPECTED_FILE, prints at most 10 KD2FPGA MISMATCH lines and one
-- KD2FPGA RESULT line, and ends with std.env.finish: status 0 when every
-- output arrived and matched, 1 otherwise (docs/firmware.md). With
-- PROGRESS_STEP set above 0 it also prints a KD2FPGA PROGRESS line each
-- time that many more outputs have been compared.
--
--   $ ghdl -a --std=08 ../vhdl/toy.vhd tb_toy.vhd
--   $ ghdl --elab-run --std=08 tb_toy --ieee-asserts=disable

library ieee;
use ieee.std_logic_1164.all;
use std.textio.all;

entity tb_toy is
  generic (
    N_VECTORS     : natural  := 1000;
    INPUT_FILE    : string   := "input.hex";
    EXPECTED_FILE : string   := "expected.hex";
    II            : positive := 2;
    -- cycles allowed beyond N_VECTORS * II before the design counts as hung
    SLACK         : natural  := 120;
    -- outputs compared between two progress lines; 0 prints none
    PROGRESS_STEP : natural  := 0
  );
end entity;

architecture sim of tb_toy is
  constant IN_W      : positive := 10;
  constant OUT_W     : positive := 13;
  -- the bus widths rounded up to whole hexadecimal digits
  constant IN_PAD    : positive := 12;
  constant OUT_PAD   : positive := 16;
  constant RESET_CYCLES : positive := 4;
  constant DRAIN_CYCLES : positive := 12;
  constant MAX_SHOWN : natural  := 10;

  signal clk       : std_logic := '0';
  signal rst       : std_logic := '1';
  signal in_valid  : std_logic := '0';
  signal in_data   : std_logic_vector(IN_W - 1 downto 0) := (others => '0');
  signal out_valid : std_logic;
  signal out_data  : std_logic_vector(OUT_W - 1 downto 0);
begin
  dut : entity work.toy
    port map (
      clk       => clk,
      rst       => rst,
      in_valid  => in_valid,
      in_data   => in_data,
      out_valid => out_valid,
      out_data  => out_data
    );

  clk <= not clk after 5 ns;

  -- One process drives the inputs and checks the outputs, so that both
  -- are sampled at the same clock edge: the latency is the number of edges
  -- between the DUT seeing in_valid and the testbench seeing out_valid.
  bench : process (clk)
    file inputs   : text open read_mode is INPUT_FILE;
    file expected : text open read_mode is EXPECTED_FILE;
    variable l          : line;
    variable vin        : std_logic_vector(IN_PAD - 1 downto 0);
    variable vexp, vgot : std_logic_vector(OUT_PAD - 1 downto 0);
    variable good       : boolean;
    variable cycle      : natural := 0; -- edges since reset was released
    variable resets     : natural := 0;
    variable sent       : natural := 0; -- inputs driven
    variable seen       : natural := 0; -- inputs the DUT sampled
    variable received   : natural := 0; -- outputs compared
    variable mismatches : natural := 0;
    variable spurious   : natural := 0; -- outputs no input produced
    variable first_in   : integer := -1;
    variable last_in    : integer := -1;
    variable first_out  : integer := -1;
    variable measured   : integer := -1; -- cycles between the first two inputs
    variable last_event : natural := 0;
    variable pause      : natural := 0;
    variable failed     : boolean := false;

    procedure say(msg : string) is
      variable m : line;
    begin
      write(m, msg);
      writeline(output, m);
    end procedure;

    -- finish prints the result line and ends the simulation.
    procedure finish_run(reason : string) is
      variable m      : line;
      variable latency, ii_seen : integer;
    begin
      if reason'length > 0 then
        say("KD2FPGA ERROR " & reason);
        failed := true;
      end if;
      if first_out >= 0 and first_in >= 0 then
        latency := first_out - first_in;
      else
        latency := -1;
      end if;
      ii_seen := measured;
      if ii_seen < 0 then
        ii_seen := II;
      end if;
      write(m, string'("KD2FPGA RESULT vectors="));
      write(m, sent);
      write(m, string'(" mismatches="));
      write(m, mismatches);
      write(m, string'(" latency="));
      write(m, latency);
      write(m, string'(" ii="));
      write(m, ii_seen);
      writeline(output, m);
      if failed or mismatches > 0 then
        std.env.finish(1);
      else
        std.env.finish(0);
      end if;
    end procedure;
  begin
    if rising_edge(clk) then
      if resets < RESET_CYCLES then
        -- hold reset for RESET_CYCLES edges
        resets := resets + 1;
        rst <= '1';
        in_valid <= '0';
      else
        rst <= '0';
        cycle := cycle + 1;

        -- what the DUT samples at this edge
        if in_valid = '1' then
          if first_in < 0 then
            first_in := cycle;
          elsif measured < 0 then
            measured := cycle - last_in;
          end if;
          last_in := cycle;
          seen := seen + 1;
        end if;

        -- check the output present at this edge
        if out_valid = '1' then
          last_event := cycle;
          if received >= seen or received >= N_VECTORS then
            spurious := spurious + 1;
          else
            if first_out < 0 then
              first_out := cycle;
            end if;
            if endfile(expected) then
              finish_run("expected file has fewer than " & integer'image(N_VECTORS) & " vectors");
            end if;
            readline(expected, l);
            hread(l, vexp, good);
            if not good then
              finish_run("expected file line " & integer'image(received + 1) & " is not hexadecimal");
            end if;
            vgot := (others => '0');
            vgot(OUT_W - 1 downto 0) := out_data;
            if vgot /= vexp then
              mismatches := mismatches + 1;
              if mismatches <= MAX_SHOWN then
                say("KD2FPGA MISMATCH sample=" & integer'image(received) &
                    " expected=" & to_hstring(vexp) & " got=" & to_hstring(vgot));
              end if;
            end if;
            received := received + 1;
            if PROGRESS_STEP > 0 and received mod PROGRESS_STEP = 0 then
              say("KD2FPGA PROGRESS received=" & integer'image(received));
            end if;
          end if;
        end if;

        -- drive the next input, one every II cycles
        in_valid <= '0';
        if pause > 0 then
          pause := pause - 1;
        elsif sent < N_VECTORS then
          if endfile(inputs) then
            finish_run("input file has fewer than " & integer'image(N_VECTORS) & " vectors");
          end if;
          readline(inputs, l);
          hread(l, vin, good);
          if not good then
            finish_run("input file line " & integer'image(sent + 1) & " is not hexadecimal");
          end if;
          in_data <= vin(IN_W - 1 downto 0);
          in_valid <= '1';
          sent := sent + 1;
          pause := II - 1;
          last_event := cycle;
        end if;

        -- stop once every output arrived and nothing more came for a while
        if spurious > 0 then
          finish_run(integer'image(spurious) & " output(s) that no input produced");
        elsif received = N_VECTORS and cycle - last_event >= DRAIN_CYCLES then
          finish_run("");
        elsif cycle > N_VECTORS * II + SLACK then
          finish_run("timeout: " & integer'image(received) & " of " &
                     integer'image(N_VECTORS) & " outputs after " &
                     integer'image(cycle) & " cycles");
        end if;
      end if;
    end if;
  end process;
end architecture;
